import type { Kysely } from 'kysely';
import {
  ConsumerGroups,
  Streams,
  commentsSubmittedV1,
  idempotent,
  type CommentsSubmittedV1,
  type Logger,
  type StreamTransport,
  type Subscription,
} from '@parley/shared';
import { SCHEMA, type ModerationDb } from '../db/tables';
import { moderateSubmitted } from '../domain/moderate-comment';
import type { QueueChange } from '../domain/queue-live-hub';

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
  const group = ConsumerGroups.moderationQueue;
  const effect = idempotent<CommentsSubmittedV1>(opts.db, SCHEMA, group, async (trx, d) => {
    const change = await moderateSubmitted(trx as unknown as Kysely<ModerationDb>, d.envelope, opts.now?.() ?? new Date());
    if (change) pending.set(d.envelope.id, change);
  });
  const pending = new Map<string, QueueChange>();
  return opts.transport.subscribe<CommentsSubmittedV1>({
    stream: Streams.commentsSubmitted,
    group,
    consumer: opts.consumer,
    schema: commentsSubmittedV1,
    claimIdleMs: opts.claimIdleMs,
    handler: async (delivery) => {
      const id = delivery.envelope.id;
      try {
        await effect(delivery);
        const change = pending.get(id);
        if (change) opts.onChange(change);
        opts.logger.debug({ stream: delivery.stream, messageId: id, type: delivery.envelope.type, deliveries: delivery.deliveries, to: change?.to }, 'comment moderated');
      } finally {
        pending.delete(id);
      }
    },
  });
}
