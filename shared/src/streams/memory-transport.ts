import type { Envelope } from '../contracts/envelope';
import { silentLogger, type Logger } from '../logger';
import type { Metrics } from '../metrics';
import { resolveSettings } from './delivery';
import { MemoryConsumer } from './memory-consumer';
import { MemoryLog } from './memory-log';
import type { DeadLetter, StreamStats, StreamTransport, SubscribeOptions, Subscription } from './transport';

export interface MemoryTransportOptions {
  /**
   * Entries kept per stream (exact, unlike Redis's `~`). Default 100,000: the log lives in the
   * process's heap, so the default is lower than Redis's.
   */
  maxLen?: number;
  defaultMaxDeliveries?: number;
  defaultClaimIdleMs?: number;
  metrics?: Metrics;
  logger?: Logger;
}

export interface MemoryTransport extends StreamTransport {
  readonly kind: 'memory';
  /**
   * Appends text as it is, even text that is not an envelope (or not JSON): for tests of the
   * dead-letter path, which Redis reaches when something else writes to a stream.
   */
  publishRaw(stream: string, raw: string): Promise<string>;
}

/** Streams inside this process, for the embedded single-process mode: nothing survives a restart. */
export function createMemoryTransport(opts: MemoryTransportOptions = {}): MemoryTransport {
  const maxLen = opts.maxLen ?? 100_000;
  const logger = opts.logger ?? silentLogger;
  const defaults = { maxDeliveries: opts.defaultMaxDeliveries ?? 5, claimIdleMs: opts.defaultClaimIdleMs ?? 30_000 };
  const logs = new Map<string, MemoryLog>();
  const subscriptions = new Set<Subscription>();
  let closed = false;

  const logOf = (stream: string): MemoryLog => {
    let log = logs.get(stream);
    if (!log) {
      log = new MemoryLog(maxLen);
      logs.set(stream, log);
    }
    return log;
  };
  const assertOpen = () => {
    if (closed) throw new Error('stream transport is closed');
  };

  async function publishRaw(stream: string, raw: string): Promise<string> {
    assertOpen();
    const log = logOf(stream);
    const id = log.append(raw);
    log.wake();
    return id;
  }

  async function publish(stream: string, envelope: Envelope): Promise<string> {
    return publishRaw(stream, JSON.stringify(envelope));
  }

  async function publishMany(stream: string, envelopes: readonly Envelope[]): Promise<string[]> {
    assertOpen();
    const log = logOf(stream);
    const ids = envelopes.map((e) => log.append(JSON.stringify(e)));
    if (ids.length > 0) log.wake();
    return ids;
  }

  function subscribe<E extends Envelope>(options: SubscribeOptions<E>): Subscription {
    assertOpen();
    const consumer = new MemoryConsumer<E>(logOf(options.stream), resolveSettings(options, defaults), logger, opts.metrics).start();
    let stopping: Promise<void> | undefined;
    const subscription: Subscription = {
      stop: () => {
        stopping ??= consumer.close().finally(() => subscriptions.delete(subscription));
        return stopping;
      },
    };
    subscriptions.add(subscription);
    return subscription;
  }

  async function stats(stream: string, group: string): Promise<StreamStats> {
    const log = logs.get(stream);
    if (!log) return { length: 0, pending: 0, lag: 0, deadLetters: 0 };
    const g = log.groups.get(group);
    return {
      length: log.length,
      pending: g?.pending.size ?? 0,
      lag: g ? log.countAfter(g.lastSeq) : log.length,
      deadLetters: log.dead.length,
    };
  }

  async function trimBefore(stream: string, before: Date): Promise<number> {
    assertOpen();
    return logs.get(stream)?.trimBefore(before.getTime()) ?? 0;
  }

  async function readDeadLetters(stream: string, count = 100): Promise<DeadLetter[]> {
    return (logs.get(stream)?.dead ?? []).slice(0, count).map((d) => ({ ...d }));
  }

  async function close(): Promise<void> {
    if (closed) return;
    closed = true;
    await Promise.all([...subscriptions].map((s) => s.stop()));
  }

  return {
    kind: 'memory',
    publish,
    publishMany,
    publishRaw,
    subscribe,
    stats,
    trimBefore,
    readDeadLetters,
    ping: async () => !closed,
    close,
  };
}
