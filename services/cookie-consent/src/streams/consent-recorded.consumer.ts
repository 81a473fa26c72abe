import type { Kysely } from 'kysely';
import { ConsumerGroups, Streams, claimInboxMany, consentRecordedV1, type StreamTransport, type Subscription } from '@parley/shared';
import { SCHEMA, type ConsentDb } from '../db/tables';
import { addToDailyStats } from '../repositories/stats.repository';

/**
 * Builds the daily acceptance statistics from `consent.recorded` (the service reads its own events,
 * so statistics never slow down a consent write). Exactly-once effect through the inbox, a batch of
 * events per transaction: under load one commit covers what is waiting instead of one per record.
 */
export function subscribeConsentStats(opts: { db: Kysely<ConsentDb>; transport: StreamTransport; consumer: string }): Subscription {
  const group = ConsumerGroups.cookieConsent;
  return opts.transport.subscribe({
    stream: Streams.consentRecorded,
    group,
    consumer: opts.consumer,
    schema: consentRecordedV1,
    batchSize: 500,
    batchHandler: async (deliveries) => {
      await opts.db.transaction().execute(async (trx) => {
        const claimed = await claimInboxMany(trx, SCHEMA, group, deliveries.map((d) => d.envelope.id));
        const fresh = deliveries.filter((d) => claimed.delete(d.envelope.id)); // a repeated id counts once
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
    },
  });
}
