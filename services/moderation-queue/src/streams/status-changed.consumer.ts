import { ConsumerGroups, Streams, commentsStatusChangedV1, type CommentsStatusChangedV1, type Subscription } from '@parley/shared';
import { applyAuthorDeletion } from '../domain/apply-author-deletion';
import { queueEffect } from './queue-effect';
import type { ConsumerOptions } from './submitted.consumer';

/** `comments.status-changed` from intake (an author deleting their comment) → moderation's copy. */
export function subscribeStatusChanged(opts: ConsumerOptions): Subscription {
  const run = queueEffect<CommentsStatusChangedV1>(opts, applyAuthorDeletion);
  return opts.transport.subscribe<CommentsStatusChangedV1>({
    stream: Streams.commentsStatusChanged,
    group: ConsumerGroups.moderationQueue,
    consumer: opts.consumer,
    schema: commentsStatusChangedV1,
    claimIdleMs: opts.claimIdleMs,
    // The comment may arrive a little after its deletion: retries wait up to ~30 s in all.
    maxDeliveries: 8,
    retryDelayMs: 250,
    handler: async (delivery) => {
      // Moderation's own decisions come back on this stream: skip them before opening a transaction.
      if (delivery.envelope.payload.actor.kind !== 'author') return;
      await run(delivery);
    },
  });
}
