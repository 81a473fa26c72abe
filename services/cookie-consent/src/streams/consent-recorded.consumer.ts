import type { Kysely } from 'kysely';
import { ConsumerGroups, Streams, consentRecordedV1, idempotent, type StreamTransport, type Subscription } from '@parley/shared';
import { SCHEMA, type ConsentDb } from '../db/tables';
import { addToDailyStats } from '../repositories/stats.repository';

/**
 * Builds the daily acceptance statistics from `consent.recorded` (the service reads its own events,
 * so statistics never slow down a consent write). Exactly-once effect through the inbox.
 */
export function subscribeConsentStats(opts: { db: Kysely<ConsentDb>; transport: StreamTransport; consumer: string }): Subscription {
  const group = ConsumerGroups.cookieConsent;
  return opts.transport.subscribe({
    stream: Streams.consentRecorded,
    group,
    consumer: opts.consumer,
    schema: consentRecordedV1,
    handler: idempotent(opts.db, SCHEMA, group, async (trx, { envelope }) => {
      const p = envelope.payload;
      await addToDailyStats(trx as unknown as Kysely<ConsentDb>, {
        site: envelope.site,
        day: p.recordedAt.slice(0, 10),
        action: p.action,
        gpc: p.gpc,
        accepted: p.accepted,
        rejected: p.rejected,
      });
    }),
  });
}
