import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/**
 * One Prometheus registry per service instance (tests and the embedded mode run several in one
 * process, so nothing is registered globally).
 */
export interface Metrics {
  registry: Registry;
  httpDuration: Histogram<'method' | 'route' | 'status'>;
  streamLag: Gauge<'stream' | 'group'>;
  streamPending: Gauge<'stream' | 'group'>;
  deadLetters: Counter<'stream' | 'group' | 'reason'>;
  outboxBacklog: Gauge<'schema'>;
  messagesHandled: Counter<'stream' | 'group' | 'outcome'>;
  /** Run before each scrape, to sample values that are cheap to read but not pushed (stream lag). */
  beforeScrape: (() => Promise<void>)[];
}

export function createMetrics(service: string, options: { defaultMetrics?: boolean } = {}): Metrics {
  const registry = new Registry();
  registry.setDefaultLabels({ service });
  if (options.defaultMetrics) collectDefaultMetrics({ register: registry });
  return {
    registry,
    beforeScrape: [],
    httpDuration: new Histogram({
      name: 'http_request_duration_seconds',
      help: 'HTTP request latency by route and status',
      labelNames: ['method', 'route', 'status'],
      buckets: [0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: [registry],
    }),
    streamLag: new Gauge({
      name: 'stream_consumer_lag',
      help: 'Entries added to a stream that the consumer group has not read yet',
      labelNames: ['stream', 'group'],
      registers: [registry],
    }),
    streamPending: new Gauge({
      name: 'stream_consumer_pending',
      help: 'Entries delivered to the consumer group but not acknowledged',
      labelNames: ['stream', 'group'],
      registers: [registry],
    }),
    deadLetters: new Counter({
      name: 'stream_dead_letters_total',
      help: 'Messages moved to a dead-letter stream',
      labelNames: ['stream', 'group', 'reason'],
      registers: [registry],
    }),
    outboxBacklog: new Gauge({
      name: 'outbox_backlog',
      help: 'Outbox rows written but not yet published',
      labelNames: ['schema'],
      registers: [registry],
    }),
    messagesHandled: new Counter({
      name: 'stream_messages_handled_total',
      help: 'Deliveries handled, by outcome (ack, retry, dead)',
      labelNames: ['stream', 'group', 'outcome'],
      registers: [registry],
    }),
  };
}
