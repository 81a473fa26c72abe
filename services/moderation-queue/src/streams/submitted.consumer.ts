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
  /** One process's consumers share the signal; a standby one reads only while a backlog waits. */
  backlog?: { signal: BacklogSignal; standby: boolean };
}

/** A batch still being judged after this long lets standby consumers read, as a backlog does. */
export const SLOW_BATCH_MS = 100;

/**
 * Whether a backlog waits: the last read came back full, or the batch begun last has been judged for
 * longer than SLOW_BATCH_MS (stuck on a lock, say, while new comments queue behind it). A process's
 * first consumer of `comments.submitted` always reads; the others read only while this says so. At a
 * steady rate one consumer's batches are decided sooner than two half-size batches competing for the
 * same cores, and a backlog is still worked off by all of them (ADR 0010).
 */
export class BacklogSignal {
  private full = false;
  private judging = 0;
  private lastBegunAt = 0;

  constructor(private readonly now: () => number = Date.now) {}

  get waiting(): boolean {
    return this.full || (this.judging > 0 && this.now() - this.lastBegunAt > SLOW_BATCH_MS);
  }

  /** A read of `read` messages is about to be judged; call `judged()` once it has been. */
  begin(read: number, batchSize: number): void {
    this.full = read >= batchSize;
    this.judging += 1;
    this.lastBegunAt = this.now();
  }

  judged(): void {
    this.judging -= 1;
  }
}

/**
 * `comments.submitted` → the pipeline's verdicts, a batch per read (whatever is waiting, up to
 * batchSize). The inbox claims, the stored comments and their status-changed outbox rows commit
 * together: a redelivery has no second effect, and events already applied are skipped.
 */
export function subscribeSubmitted(opts: ConsumerOptions): Subscription {
  const batchSize = opts.batchSize ?? 200;
  const backlog = opts.backlog;
  return opts.transport.subscribe<CommentsSubmittedV1>({
    stream: Streams.commentsSubmitted,
    group: ConsumerGroups.moderationQueue,
    consumer: opts.consumer,
    schema: commentsSubmittedV1,
    claimIdleMs: opts.claimIdleMs,
    batchSize,
    readNewWhen: backlog?.standby ? () => backlog.signal.waiting : undefined,
    batchHandler: async (deliveries) => {
      // Told before judging, so a standby consumer reads the next batch meanwhile.
      backlog?.signal.begin(deliveries.length, batchSize);
      let changes: QueueChange[];
      try {
        changes = await moderateDeliveries(opts, deliveries);
      } finally {
        backlog?.signal.judged();
      }
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
