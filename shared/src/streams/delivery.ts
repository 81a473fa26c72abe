import type { Envelope } from '../contracts/envelope';
import { PoisonMessageError } from '../errors';
import type { Logger } from '../logger';
import type { Metrics } from '../metrics';
import type { StopSignal } from './stop-signal';
import type { BatchHandler, DeadLetter, Handler, SubscribeOptions } from './transport';
import type { z } from 'zod';

/** What both transports do with one entry once it is read; only the storage steps differ. */

const MAX_RETRY_DELAY_MS = 5_000;
/** How often a consumer whose readNewWhen answered false asks again. */
export const STANDBY_POLL_MS = 20;

export interface ConsumerSettings<E extends Envelope> {
  stream: string;
  group: string;
  consumer: string;
  schema: z.ZodType<E>;
  /** One message at a time; in batch mode a batch of one, used after a batch threw. */
  handler: Handler<E>;
  /** Set in batch mode. */
  batchHandler?: BatchHandler<E>;
  batchSize: number;
  blockMs: number;
  /** See SubscribeOptions.readNewWhen; undefined reads whenever there is something. */
  readNewWhen?: () => boolean;
  claimIdleMs: number;
  maxDeliveries: number;
  retryDelayMs: number;
}

export interface ConsumerDefaults {
  maxDeliveries: number;
  claimIdleMs: number;
}

export function resolveSettings<E extends Envelope>(
  options: SubscribeOptions<E>,
  defaults: ConsumerDefaults,
): ConsumerSettings<E> {
  const { handler, batchHandler } = options;
  if ((handler === undefined) === (batchHandler === undefined)) {
    throw new Error(`subscribe to ${options.stream}: give exactly one of handler and batchHandler`);
  }
  return {
    stream: options.stream,
    group: options.group,
    consumer: options.consumer,
    schema: options.schema,
    handler: handler ?? ((delivery) => batchHandler!([delivery])),
    batchHandler,
    batchSize: Math.max(1, options.batchSize ?? 100),
    blockMs: Math.max(1, options.blockMs ?? 1000),
    readNewWhen: options.readNewWhen,
    claimIdleMs: Math.max(1, options.claimIdleMs ?? defaults.claimIdleMs),
    maxDeliveries: Math.max(1, options.maxDeliveries ?? defaults.maxDeliveries),
    retryDelayMs: Math.max(0, options.retryDelayMs ?? 100),
  };
}

/** One entry as read from the store, before it is decoded. */
export interface RawEntry {
  entryId: string;
  /** The `e` field; undefined when the entry has none (written by something else). */
  raw: string | undefined;
  deliveries: number;
}

/** The storage side of handling one entry; each transport implements it over its own store. */
export interface EntryStore {
  ack(entryId: string): void | Promise<void>;
  /** Writes the dead letter and acknowledges the entry, together. */
  deadLetter(letter: DeadLetter): Promise<void>;
  /**
   * Takes the entry back for another try after `waitedMs` of backoff: the new delivery count, or
   * undefined when another consumer has reclaimed it meanwhile (it is theirs now).
   */
  redeliver(entryId: string, previousDeliveries: number, waitedMs: number): Promise<number | undefined>;
}

export interface DeliveryContext<E extends Envelope> {
  settings: ConsumerSettings<E>;
  store: EntryStore;
  stop: StopSignal;
  logger: Logger;
  metrics?: Metrics;
}

/** handled: acked or dead-lettered; lost: another consumer owns it now; released: stopped before success. */
export type EntryResult = 'handled' | 'lost' | 'released';

/**
 * Decodes and handles one entry, retrying after a throw until it succeeds, is dead-lettered, or the
 * consumer stops (then the entry stays pending for whoever comes next).
 */
export async function processEntry<E extends Envelope>(ctx: DeliveryContext<E>, entry: RawEntry): Promise<EntryResult> {
  const { settings } = ctx;
  const decoded = decodeEnvelope(entry.raw, settings.schema);
  if (!decoded.ok) {
    await deadLetter(ctx, entry, entry.deliveries, 'schema', decoded.error, undefined);
    return 'handled';
  }
  const envelope = decoded.envelope;
  let deliveries = entry.deliveries;
  for (;;) {
    try {
      await settings.handler({ stream: settings.stream, entryId: entry.entryId, envelope, deliveries });
      record(ctx, 'ack');
      await ctx.store.ack(entry.entryId);
      return 'handled';
    } catch (err) {
      const error = describeError(err);
      if (isPoison(err)) {
        await deadLetter(ctx, entry, deliveries, 'poison', error, envelope.type);
        return 'handled';
      }
      if (deliveries >= settings.maxDeliveries) {
        await deadLetter(ctx, entry, deliveries, 'max-deliveries', error, envelope.type);
        return 'handled';
      }
      record(ctx, 'retry');
      const delay = retryDelay(settings.retryDelayMs, deliveries);
      ctx.logger.warn(
        { ...logFields(ctx, entry.entryId, envelope.type), deliveries, err: error, retryInMs: delay },
        'stream handler failed; will retry',
      );
      const failedAt = Date.now();
      await ctx.stop.sleep(delay);
      if (ctx.stop.stopped) return 'released';
      const next = await ctx.store.redeliver(entry.entryId, deliveries, Date.now() - failedAt);
      if (next === undefined) return 'lost';
      deliveries = next;
    }
  }
}

/**
 * Batch mode: dead-letters the entries that fail their schema, hands the rest to the batch handler
 * in one call and acknowledges them all once it resolved. Returns what is left to handle one at a
 * time with processEntry, in order: nothing on success; every decodable entry when the batch
 * threw (one of them may be poison, and only a batch of one can tell which); the single entry of a
 * batch of one, which takes the one-at-a-time path from the start.
 */
export async function processBatch<E extends Envelope, R extends RawEntry>(ctx: DeliveryContext<E>, entries: readonly R[]): Promise<R[]> {
  const { settings } = ctx;
  const batchHandler = settings.batchHandler;
  if (!batchHandler) return [...entries];
  const valid: { entry: R; envelope: E }[] = [];
  for (const entry of entries) {
    const decoded = decodeEnvelope(entry.raw, settings.schema);
    if (decoded.ok) valid.push({ entry, envelope: decoded.envelope });
    else await deadLetter(ctx, entry, entry.deliveries, 'schema', decoded.error, undefined);
  }
  if (valid.length <= 1) return valid.map((v) => v.entry);
  try {
    await batchHandler(
      valid.map(({ entry, envelope }) => ({ stream: settings.stream, entryId: entry.entryId, envelope, deliveries: entry.deliveries })),
    );
  } catch (err) {
    ctx.logger.warn(
      { stream: settings.stream, group: settings.group, consumer: settings.consumer, count: valid.length, err: describeError(err) },
      'stream batch handler failed; handling its messages one at a time',
    );
    return valid.map((v) => v.entry);
  }
  // Not awaited one by one: the store may send every acknowledgement of the batch in one command.
  await Promise.all(
    valid.map(({ entry }) => {
      record(ctx, 'ack');
      return ctx.store.ack(entry.entryId);
    }),
  );
  return [];
}

async function deadLetter<E extends Envelope>(
  ctx: DeliveryContext<E>,
  entry: RawEntry,
  deliveries: number,
  reason: DeadLetter['reason'],
  error: string,
  type: string | undefined,
): Promise<void> {
  const { settings } = ctx;
  await ctx.store.deadLetter({
    stream: settings.stream,
    entryId: entry.entryId,
    group: settings.group,
    reason,
    error,
    deliveries,
    raw: entry.raw ?? '',
    deadAt: new Date().toISOString(),
  });
  record(ctx, 'dead');
  ctx.metrics?.deadLetters.inc({ stream: settings.stream, group: settings.group, reason });
  ctx.logger.error({ ...logFields(ctx, entry.entryId, type), deliveries, reason, err: error }, 'stream message dead-lettered');
}

export type Decoded<E> = { ok: true; envelope: E } | { ok: false; error: string };

export function decodeEnvelope<E extends Envelope>(raw: string | undefined, schema: z.ZodType<E>): Decoded<E> {
  if (raw === undefined) return { ok: false, error: 'entry has no envelope field' };
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    return { ok: false, error: 'envelope is not valid JSON' };
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    // Paths and zod's messages only: the values may hold personal data.
    const issues = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
    return { ok: false, error: `envelope fails its schema: ${issues.slice(0, 5).join('; ')}` };
  }
  return { ok: true, envelope: parsed.data };
}

/** retryDelayMs on the first failure, doubled per delivery, capped at 5 s. */
export function retryDelay(baseMs: number, deliveries: number): number {
  return Math.min(MAX_RETRY_DELAY_MS, baseMs * 2 ** Math.max(0, deliveries - 1));
}

function isPoison(err: unknown): boolean {
  // By name too: a handler bundled with its own copy of this package throws a different class.
  return err instanceof PoisonMessageError || (err instanceof Error && err.name === 'PoisonMessageError');
}

function describeError(err: unknown): string {
  if (err instanceof Error) return `${err.name}: ${err.message}`;
  return String(err);
}

function record<E extends Envelope>(ctx: DeliveryContext<E>, outcome: 'ack' | 'retry' | 'dead'): void {
  ctx.metrics?.messagesHandled.inc({ stream: ctx.settings.stream, group: ctx.settings.group, outcome });
}

export function logFields<E extends Envelope>(ctx: DeliveryContext<E>, messageId: string, type?: string) {
  return { stream: ctx.settings.stream, group: ctx.settings.group, consumer: ctx.settings.consumer, messageId, type };
}
