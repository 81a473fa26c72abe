import type { Kysely } from 'kysely';
import {
  ConsumerGroups,
  Streams,
  commentsSubmittedV1,
  type CommentsSubmittedV1,
  type Logger,
  type StreamTransport,
  type Subscription,
} from '@parley/shared';
import type { ModerationDb } from '../db/tables';
import { moderateSubmitted } from '../domain/moderate-comment';
import type { QueueChange } from '../domain/queue-live-hub';
import { queueEffect } from './queue-effect';

export interface ConsumerOptions {
  db: Kysely<ModerationDb>;
  transport: StreamTransport;
  consumer: string;
  logger: Logger;
  /** Called after the effect committed, with the change it made. */
  onChange(change: QueueChange): void;
  now?: () => Date;
  claimIdleMs?: number;
}

/**
 * `comments.submitted` → the pipeline's verdict. The inbox claim, the stored comment and its
 * status-changed outbox row commit in one transaction: a redelivery has no second effect.
 */
export function subscribeSubmitted(opts: ConsumerOptions): Subscription {
  const run = queueEffect<CommentsSubmittedV1>(opts, moderateSubmitted);
  return opts.transport.subscribe<CommentsSubmittedV1>({
    stream: Streams.commentsSubmitted,
    group: ConsumerGroups.moderationQueue,
    consumer: opts.consumer,
    schema: commentsSubmittedV1,
    claimIdleMs: opts.claimIdleMs,
    handler: async (delivery) => {
      const change = await run(delivery);
      opts.logger.debug(
        { stream: delivery.stream, messageId: delivery.envelope.id, type: delivery.envelope.type, deliveries: delivery.deliveries, to: change?.to },
        'comment moderated',
      );
    },
  });
}
