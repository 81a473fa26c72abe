import type { Kysely } from 'kysely';
import {
  ConsumerGroups,
  Streams,
  commentsSubmittedV1,
  type CommentsSubmittedV1,
  type Delivery,
  type Logger,
  type OutboxEvent,
  type StreamTransport,
  type Subscription,
} from '@parley/shared';
import type { ModerationDb } from '../db/tables';
import { moderateSubmittedBatch } from '../domain/moderate-comment';
import type { QueueChange } from '../domain/queue-live-hub';

export interface ConsumerOptions {
  db: Kysely<ModerationDb>;
  transport: StreamTransport;
  consumer: string;
  logger: Logger;
  /** Called after the effect committed, with the change it made. */
  onChange(change: QueueChange): void;
  /** Called after the effect committed, with its outbox events (see moderateSubmittedBatch). */
  handOver?(events: OutboxEvent[]): void;
  now?: () => Date;
  claimIdleMs?: number;
  /** Most comments judged in one transaction (default 200). */
  batchSize?: number;
}

/**
 * `comments.submitted` → the pipeline's verdicts, a batch per read (whatever is waiting, up to
 * batchSize). The inbox claims, the stored comments and their status-changed outbox rows commit
 * together: a redelivery has no second effect, and events already applied are skipped.
 */
export function subscribeSubmitted(opts: ConsumerOptions): Subscription {
  return opts.transport.subscribe<CommentsSubmittedV1>({
    stream: Streams.commentsSubmitted,
    group: ConsumerGroups.moderationQueue,
    consumer: opts.consumer,
    schema: commentsSubmittedV1,
    claimIdleMs: opts.claimIdleMs,
    batchSize: opts.batchSize ?? 200,
    batchHandler: async (deliveries) => {
      const changes = await moderateDeliveries(opts, deliveries);
      for (const change of changes) opts.onChange(change);
      opts.logger.debug(
        { stream: Streams.commentsSubmitted, count: deliveries.length, decided: changes.length, first: deliveries[0]?.envelope.id },
        'comments moderated',
      );
    },
  });
}

/**
 * Judges and stores the comments of the events not applied before; the inbox claims commit with
 * the comments, in one statement (see moderateSubmittedBatch), so a redelivery decides nothing twice.
 */
export async function moderateDeliveries(
  opts: Pick<ConsumerOptions, 'db' | 'now' | 'handOver'>,
  deliveries: readonly Delivery<CommentsSubmittedV1>[],
): Promise<QueueChange[]> {
  return moderateSubmittedBatch(opts.db, deliveries.map((d) => d.envelope), opts.now?.() ?? new Date(), ConsumerGroups.moderationQueue, opts.handOver);
}
