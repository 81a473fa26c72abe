import { ConsumerGroups, Streams, commentsReportedV1, type CommentsReportedV1, type Subscription } from '@parley/shared';
import { applyReport } from '../domain/apply-report';
import { queueEffect } from './queue-effect';
import type { ConsumerOptions } from './submitted.consumer';

/** `comments.reported` → report counts; past the threshold an approved comment goes back to `held`. */
export function subscribeReported(opts: ConsumerOptions): Subscription {
  const run = queueEffect<CommentsReportedV1>(opts, applyReport);
  return opts.transport.subscribe<CommentsReportedV1>({
    stream: Streams.commentsReported,
    group: ConsumerGroups.moderationQueue,
    consumer: opts.consumer,
    schema: commentsReportedV1,
    claimIdleMs: opts.claimIdleMs,
    handler: async (delivery) => {
      await run(delivery);
      opts.logger.debug({ stream: delivery.stream, messageId: delivery.envelope.id, type: delivery.envelope.type }, 'report applied');
    },
  });
}
