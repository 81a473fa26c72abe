import type { Kysely } from 'kysely';
import { ConsumerGroups, Streams, commentsStatusChangedV1, idempotent, type CommentsStatusChangedV1, type Subscription } from '@parley/shared';
import { SCHEMA, type ModerationDb } from '../db/tables';
import { applyAuthorDeletion } from '../domain/apply-author-deletion';
import type { QueueChange } from '../domain/queue-live-hub';
import type { ConsumerOptions } from './submitted.consumer';

/** `comments.status-changed` from intake (an author deleting their comment) → moderation's copy. */
export function subscribeStatusChanged(opts: ConsumerOptions): Subscription {
  const group = ConsumerGroups.moderationQueue;
  const pending = new Map<string, QueueChange>();
  const effect = idempotent<CommentsStatusChangedV1>(opts.db, SCHEMA, group, async (trx, d) => {
    const change = await applyAuthorDeletion(trx as unknown as Kysely<ModerationDb>, d.envelope, opts.now?.() ?? new Date());
    if (change) pending.set(d.envelope.id, change);
  });
  return opts.transport.subscribe<CommentsStatusChangedV1>({
    stream: Streams.commentsStatusChanged,
    group,
    consumer: opts.consumer,
    schema: commentsStatusChangedV1,
    claimIdleMs: opts.claimIdleMs,
    // The comment may arrive a little after its deletion: retries wait up to ~30 s in all.
    maxDeliveries: 8,
    retryDelayMs: 250,
    handler: async (delivery) => {
      // Moderation's own decisions come back on this stream: skip them before opening a transaction.
      if (delivery.envelope.payload.actor.kind !== 'author') return;
      const id = delivery.envelope.id;
      try {
        await effect(delivery);
        const change = pending.get(id);
        if (change) opts.onChange(change);
      } finally {
        pending.delete(id);
      }
    },
  });
}
