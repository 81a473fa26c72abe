import type { Logger } from '../logger';
import type { Metrics } from '../metrics';
import type { StreamTransport } from './transport';

export interface StreamSubscriptionRef {
  stream: string;
  group: string;
}

/**
 * Sets the lag and pending gauges of each (stream, group) from the transport's stats. Call it
 * right before rendering `/metrics`, so a scrape sees current numbers without a background timer.
 * A stream whose stats cannot be read keeps its previous values (the failure is logged).
 */
export async function sampleStreamMetrics(
  metrics: Metrics,
  transport: StreamTransport,
  subs: readonly StreamSubscriptionRef[],
  logger?: Logger,
): Promise<void> {
  await Promise.all(
    subs.map(async ({ stream, group }) => {
      try {
        const s = await transport.stats(stream, group);
        metrics.streamLag.set({ stream, group }, s.lag);
        metrics.streamPending.set({ stream, group }, s.pending);
      } catch (err) {
        logger?.warn({ stream, group, err: (err as Error).message }, 'stream stats unavailable for metrics');
      }
    }),
  );
}

/** Samples lag and pending of these subscriptions on every `/metrics` scrape. */
export function watchStreams(metrics: Metrics, transport: StreamTransport, subs: readonly StreamSubscriptionRef[], logger?: Logger): void {
  metrics.beforeScrape.push(() => sampleStreamMetrics(metrics, transport, subs, logger));
}
