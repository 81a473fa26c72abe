import type { Kysely } from 'kysely';
import { ConsumerGroups, Streams, commentsReportedV1, idempotent, type CommentsReportedV1, type Subscription } from '@parley/shared';
import { SCHEMA, type ModerationDb } from '../db/tables';
import { applyReport } from '../domain/apply-report';
import type { QueueChange } from '../domain/queue-live-hub';
import type { ConsumerOptions } from './submitted.consumer';

/** `comments.reported` → report counts; past the threshold an approved comment goes back to `held`. */
export function subscribeReported(opts: ConsumerOptions): Subscription {
  const group = ConsumerGroups.moderationQueue;
  const pending = new Map<string, QueueChange>();
  const effect = idempotent<CommentsReportedV1>(opts.db, SCHEMA, group, async (trx, d) => {
    const change = await applyReport(trx as unknown as Kysely<ModerationDb>, d.envelope, opts.now?.() ?? new Date());
    if (change) pending.set(d.envelope.id, change);
  });
  return opts.transport.subscribe<CommentsReportedV1>({
    stream: Streams.commentsReported,
    group,
    consumer: opts.consumer,
    schema: commentsReportedV1,
    claimIdleMs: opts.claimIdleMs,
    handler: async (delivery) => {
      const id = delivery.envelope.id;
      try {
        await effect(delivery);
        const change = pending.get(id);
        if (change) opts.onChange(change);
        opts.logger.debug({ stream: delivery.stream, messageId: id, type: delivery.envelope.type }, 'report applied');
      } finally {
        pending.delete(id);
      }
    },
  });
}
