import type { z } from 'zod';
import type { Envelope } from '../contracts/envelope';

/** One delivery of one message to one consumer. */
export interface Delivery<E extends Envelope = Envelope> {
  stream: string;
  /** The transport's own id of the entry (Redis: `1700000000000-0`), unique within the stream. */
  entryId: string;
  envelope: E;
  /** 1 on the first delivery; grows on every redelivery (after a throw, a crash or a reclaim). */
  deliveries: number;
}

export type Handler<E extends Envelope = Envelope> = (delivery: Delivery<E>) => Promise<void>;

/**
 * Runs once per batch: up to `batchSize` deliveries that passed the schema, in stream order. Every
 * one of them is acknowledged after it resolves, so it must commit the whole batch's effect first.
 * A throw does not retry the batch: its messages are handed over again one at a time (batches of
 * one), each with the usual retries, back-off, `PoisonMessageError` and dead-letter rules. See ADR 0010.
 */
export type BatchHandler<E extends Envelope = Envelope> = (deliveries: Delivery<E>[]) => Promise<void>;

export interface SubscribeOptions<E extends Envelope = Envelope> {
  stream: string;
  /** Consumer group: every group sees every message; within a group each message goes to one consumer. */
  group: string;
  /** This consumer's name, unique within the group (e.g. host + pid). */
  consumer: string;
  /**
   * The envelope schema. A message that fails it is dead-lettered at once, never handed over.
   * Handlers throw `PoisonMessageError` for the same treatment of a message that can never succeed.
   */
  schema: z.ZodType<E>;
  /**
   * Runs once per delivery. The message is acknowledged only after it resolves, so the handler must
   * commit its effect before returning; a throw means "deliver again later".
   * Give exactly one of `handler` and `batchHandler`.
   */
  handler?: Handler<E>;
  /**
   * Batch mode: runs once per read with up to `batchSize` messages (whatever is waiting, so a
   * lightly loaded stream gives small batches and no added latency). See `BatchHandler`.
   */
  batchHandler?: BatchHandler<E>;
  /**
   * Messages fetched per read (default 100). With `handler`, handled in order, one at a time; with
   * `batchHandler`, the most handed over in one call.
   */
  batchSize?: number;
  /** How long one read waits for new messages (default 1000 ms); bounds how fast stop() returns. */
  blockMs?: number;
  /**
   * Asked before each read of new messages. While it answers false, this consumer reads none and
   * asks again 20 ms later. It still reclaims idle entries and re-reads its own pending ones. This is
   * for standby consumers that join only while a backlog waits (moderation-queue's worker, ADR 0010).
   */
  readNewWhen?: () => boolean;
  /** A pending entry idle this long belongs to a consumer presumed dead and is reclaimed (default from config). */
  claimIdleMs?: number;
  /** After this many deliveries a failing message is dead-lettered (default 5). */
  maxDeliveries?: number;
  /** Wait before retrying a message whose handler threw (default 100 ms, doubled per delivery, capped at 5 s). */
  retryDelayMs?: number;
}

export interface Subscription {
  /** Stops reading, lets the in-flight message (or batch) finish (and ack), then resolves. */
  stop(): Promise<void>;
}

/** What a dead-letter entry holds besides the original message. */
export interface DeadLetter {
  stream: string;
  entryId: string;
  group: string;
  reason: 'schema' | 'poison' | 'max-deliveries';
  error: string;
  deliveries: number;
  /** The original message as it was read (raw text, since it may not even be JSON). */
  raw: string;
  deadAt: string;
}

export interface StreamStats {
  /** Entries in the stream now (after trimming). */
  length: number;
  /** Entries delivered to the group but not yet acknowledged. */
  pending: number;
  /** Entries added to the stream that the group has not read yet. */
  lag: number;
  /** Entries in `<stream>.dead`. */
  deadLetters: number;
}

/**
 * The one interface both transports implement (Redis Streams for production, in-process for the
 * embedded mode). The same contract suite runs against both.
 */
export interface StreamTransport {
  readonly kind: 'redis' | 'memory';
  /** Appends one message; resolves once the stream holds it. Returns the entry id. */
  publish(stream: string, envelope: Envelope): Promise<string>;
  /** Appends many messages in one round trip, in order. */
  publishMany(stream: string, envelopes: readonly Envelope[]): Promise<string[]>;
  subscribe<E extends Envelope>(options: SubscribeOptions<E>): Subscription;
  stats(stream: string, group: string): Promise<StreamStats>;
  /**
   * Age-based retention: removes the stream's entries written before `before` that no consumer
   * group still needs (each group has read and acknowledged them), and its dead letters from before
   * then. Returns how many entries went.
   */
  trimBefore(stream: string, before: Date): Promise<number>;
  /** Reads dead letters of a stream, oldest first (for operators and tests). */
  readDeadLetters(stream: string, count?: number): Promise<DeadLetter[]>;
  /** True when the backing store answers (for /readyz). */
  ping(): Promise<boolean>;
  /** Stops every subscription (draining in-flight handlers) and releases connections. */
  close(): Promise<void>;
}
