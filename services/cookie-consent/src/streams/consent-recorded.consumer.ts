import type { Kysely } from 'kysely';
import { ConsumerGroups, Streams, claimDeliveries, consentRecordedV1, type StreamTransport, type Subscription } from '@parley/shared';
import { SCHEMA, type ConsentDb } from '../db/tables';
import { addToDailyStats } from '../repositories/stats.repository';

/**
 * Builds the daily acceptance statistics from `consent.recorded` (the service reads its own events,
 * so statistics never slow down a consent write). Exactly-once effect through the inbox, a batch of
 * events per transaction: under load one commit covers what is waiting instead of one per record.
 * The statistics lag the records by up to `lingerMs` (default 250 ms) more than the stream does.
 */
export function subscribeConsentStats(opts: { db: Kysely<ConsentDb>; transport: StreamTransport; consumer: string; lingerMs?: number }): Subscription {
  const lingerMs = opts.lingerMs ?? 250;
  const batchSize = 500;
  const group = ConsumerGroups.cookieConsent;
  return opts.transport.subscribe({
    stream: Streams.consentRecorded,
    group,
    consumer: opts.consumer,
    schema: consentRecordedV1,
    batchSize,
    batchHandler: async (deliveries) => {
      await opts.db.transaction().execute(async (trx) => {
        const fresh = await claimDeliveries(trx, SCHEMA, group, deliveries);
        await addToDailyStats(
          trx,
          fresh.map(({ envelope }) => ({
            site: envelope.site,
            day: envelope.payload.recordedAt.slice(0, 10),
            action: envelope.payload.action,
            gpc: envelope.payload.gpc,
            accepted: envelope.payload.accepted,
            rejected: envelope.payload.rejected,
          })),
        );
      });
      // Statistics need not be fresher than a quarter of a second: waiting before the next read lets
      // a busy stream fill a batch, so a burst costs a few commits instead of one per handful of records.
      if (deliveries.length < batchSize && lingerMs > 0) await new Promise((r) => setTimeout(r, lingerMs));
    },
  });
}
