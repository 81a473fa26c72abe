import type { Redis } from 'ioredis';
import type { Envelope } from '../contracts/envelope';
import type { Logger } from '../logger';
import type { Metrics } from '../metrics';
import { STANDBY_POLL_MS, processBatch, processEntry, type ConsumerSettings, type DeliveryContext, type EntryStore, type RawEntry } from './delivery';
import { parseAutoClaimReply, parseEntries, parsePendingCounts, parseReadReply, type StreamEntry } from './redis-replies';
import { closeConnection } from './redis-connection';
import { StopSignal } from './stop-signal';
import type { DeadLetter } from './transport';

/** Idle time given to entries a stopping consumer hands back, so any live consumer claims them at once. */
const RELEASED_IDLE_MS = 24 * 60 * 60 * 1000;
/** How long stop() lets a Redis command hang (an outage) after the read timeout before cutting the connection. */
const STOP_GRACE_MS = 5_000;

export interface RedisConsumerOptions<E extends Envelope> {
  /** Dedicated to this consumer: XREADGROUP BLOCK holds it, so nothing else may queue behind that. */
  conn: Redis;
  /** Ends a blocked read at once (CLIENT UNBLOCK, sent on another connection), so stop() need not wait blockMs. */
  unblock(clientId: number): Promise<unknown>;
  settings: ConsumerSettings<E>;
  key: string;
  deadKey: string;
  maxLen: number;
  logger: Logger;
  metrics?: Metrics;
}

/**
 * One consumer of one group. Each turn of the loop does one of: reclaim entries idle ≥ claimIdleMs
 * (XAUTOCLAIM, every claimIdleMs / 2), re-read its own pending entries (at start and after an
 * error, in case it was restarted under the same name), or block for new ones. Entries are handled
 * one at a time in order (or, in batch mode, all that one read returned in one call) and
 * acknowledged only after their handler resolved.
 */
export class RedisConsumer<E extends Envelope> implements EntryStore {
  private readonly stop = new StopSignal();
  private readonly ctx: DeliveryContext<E>;
  private readonly settings: ConsumerSettings<E>;
  private readonly conn: Redis;
  private readonly key: string;
  /** Handled ids waiting for the next XACK; sent as one command while the previous one is in flight. */
  private ackQueue: string[] = [];
  private ackScheduled = false;
  private readonly acksInFlight = new Set<Promise<void>>();
  private readOwnPending = true;
  private nextClaimAt = 0;
  private claimCursor = '0-0';
  /** Read but not handled when stop came: handed back on the way out. */
  private readonly leftovers: string[] = [];
  private handling = false;
  /** This connection's CLIENT ID (reset on reconnect) and whether a blocking read is out on it. */
  private clientId: number | undefined;
  private blocked = false;
  private done: Promise<void> = Promise.resolve();

  constructor(private readonly options: RedisConsumerOptions<E>) {
    this.settings = options.settings;
    this.conn = options.conn;
    this.key = options.key;
    this.ctx = { settings: this.settings, store: this, stop: this.stop, logger: options.logger, metrics: options.metrics };
    this.conn.on('close', () => {
      this.clientId = undefined;
    });
  }

  start(): this {
    this.done = this.run();
    return this;
  }

  async close(): Promise<void> {
    this.stop.raise();
    if (this.blocked && this.clientId !== undefined) {
      // Unblocked like a timeout: Redis replies nil and assigns nothing, so no entry is stranded.
      await this.options.unblock(this.clientId).catch(() => undefined);
    }
    // A handler may run as long as it needs; only a Redis command stuck in an outage is cut short.
    let watchdog: NodeJS.Timeout | undefined;
    const arm = () => {
      watchdog = setTimeout(() => {
        if (this.handling) arm();
        else this.conn.disconnect();
      }, this.settings.blockMs + STOP_GRACE_MS);
    };
    arm();
    try {
      await this.done;
    } finally {
      clearTimeout(watchdog);
    }
    await closeConnection(this.conn);
  }

  private async run(): Promise<void> {
    let failures = 0;
    let groupReady = false;
    while (!this.stop.stopped) {
      try {
        if (!groupReady) groupReady = await this.ensureGroup();
        if (Date.now() >= this.nextClaimAt) await this.claimIdle();
        else if (this.readOwnPending) await this.readPending();
        else await this.readNew();
        failures = 0;
      } catch (err) {
        const message = err instanceof Error ? err.message : String(err);
        if (message.includes('NOGROUP')) groupReady = false; // the stream was deleted under us
        this.readOwnPending = true;
        const delay = Math.min(5_000, 100 * 2 ** failures++);
        this.options.logger.warn(
          { stream: this.settings.stream, group: this.settings.group, err: message, retryInMs: delay },
          'stream consumer error; retrying',
        );
        await this.stop.sleep(delay);
      }
    }
    try {
      await this.drainAcks();
      await this.releaseLeftovers();
    } catch (err) {
      this.options.logger.warn(
        { stream: this.settings.stream, group: this.settings.group, err: (err as Error).message },
        'could not hand back unhandled entries; they will be reclaimed after claimIdleMs',
      );
    }
  }

  /**
   * Creates the group at id 0, so a group created after messages were published still reads them
   * (as far back as trimming kept them). MKSTREAM: a consumer may start before any producer.
   */
  private async ensureGroup(): Promise<boolean> {
    try {
      await this.conn.xgroup('CREATE', this.key, this.settings.group, '0', 'MKSTREAM');
    } catch (err) {
      if (!(err instanceof Error && err.message.includes('BUSYGROUP'))) throw err;
    }
    return true;
  }

  private async claimIdle(): Promise<void> {
    const { group, consumer, claimIdleMs, batchSize } = this.settings;
    const reply = await this.conn.xautoclaim(this.key, group, consumer, claimIdleMs, this.claimCursor, 'COUNT', batchSize);
    const { cursor, entries } = parseAutoClaimReply(reply);
    this.claimCursor = cursor;
    // A non-zero cursor means more to scan: come straight back next turn.
    if (cursor === '0-0') this.nextClaimAt = Date.now() + claimIdleMs / 2;
    if (entries.length === 0) return;
    this.options.logger.info({ stream: this.settings.stream, group, count: entries.length }, 'reclaimed idle entries');
    await this.handleBatch(await this.withDeliveryCounts(entries), Date.now());
  }

  private async readPending(): Promise<void> {
    const { group, consumer, batchSize } = this.settings;
    await this.drainAcks(); // or the re-read would hand back entries just handled
    const reply = await this.conn.xreadgroup('GROUP', group, consumer, 'COUNT', batchSize, 'STREAMS', this.key, '0');
    const entries = parseReadReply(reply);
    if (entries.length === 0) {
      this.readOwnPending = false;
      return;
    }
    await this.handleBatch(await this.withDeliveryCounts(entries), Date.now());
  }

  private async readNew(): Promise<void> {
    const { group, consumer, batchSize, blockMs, readNewWhen } = this.settings;
    this.sendAcks();
    // Wake in time for the next reclaim round rather than sleeping through it, standing by or reading.
    const untilClaim = Math.max(1, this.nextClaimAt - Date.now());
    if (readNewWhen && !readNewWhen()) {
      await this.stop.sleep(Math.min(STANDBY_POLL_MS, untilClaim));
      return;
    }
    const block = Math.min(blockMs, untilClaim);
    this.clientId ??= Number(await this.conn.client('ID'));
    if (this.stop.stopped) return;
    this.blocked = true;
    let reply: unknown;
    try {
      reply = await this.conn.xreadgroup(
        'GROUP', group, consumer, 'COUNT', batchSize, 'BLOCK', block, 'STREAMS', this.key, '>',
      );
    } finally {
      this.blocked = false;
    }
    const entries = parseReadReply(reply).map((e) => toRaw(e, 1));
    await this.handleBatch(entries, Date.now());
  }

  /** Redis counts deliveries per pending entry; XPENDING reads them after a re-read or a claim. */
  private async withDeliveryCounts(entries: StreamEntry[]): Promise<RedisRawEntry[]> {
    const first = entries[0]!.id;
    const last = entries[entries.length - 1]!.id;
    const reply = await this.conn.xpending(
      this.key, this.settings.group, first, last, entries.length * 2 + 100, this.settings.consumer,
    );
    const counts = parsePendingCounts(reply);
    return entries.map((e) => toRaw(e, counts.get(e.id) ?? 2));
  }

  private async handleBatch(entries: RedisRawEntry[], readAt: number): Promise<void> {
    let leaseAt = readAt;
    let batch = entries;
    if (this.settings.batchHandler) {
      batch = await this.handleAsBatch(entries);
      if (batch.length === 0) return;
    }
    // After a batch that threw, the first entry has waited for it too.
    const firstWaited = batch !== entries;
    for (let i = 0; i < batch.length; i++) {
      if (this.stop.stopped) {
        this.leftovers.push(...batch.slice(i).map((e) => e.entryId));
        break;
      }
      // Entries queued behind slow handlers would look dead to the group: renew our claim on them.
      if ((i > 0 || firstWaited) && Date.now() - leaseAt >= this.settings.claimIdleMs / 2) {
        batch = batch.slice(0, i).concat(await this.renewLease(batch.slice(i), Date.now() - leaseAt));
        leaseAt = Date.now();
        if (i >= batch.length) break;
      }
      const entry = batch[i]!;
      if (entry.deleted) {
        this.ack(entry.entryId); // trimmed away while pending: nothing left to handle
        continue;
      }
      this.handling = true;
      try {
        const result = await processEntry(this.ctx, entry);
        if (result === 'released') this.leftovers.push(entry.entryId);
      } finally {
        this.handling = false;
      }
    }
    this.sendAcks();
  }

  /** Batch mode: every live entry of the read in one handler call; returns those left to handle one at a time. */
  private async handleAsBatch(entries: RedisRawEntry[]): Promise<RedisRawEntry[]> {
    const live: RedisRawEntry[] = [];
    for (const entry of entries) {
      if (entry.deleted) this.ack(entry.entryId); // trimmed away while pending: nothing left to handle
      else live.push(entry);
    }
    if (live.length === 0 || this.stop.stopped) {
      this.leftovers.push(...live.map((e) => e.entryId));
      this.sendAcks();
      return [];
    }
    this.handling = true;
    try {
      return await processBatch(this.ctx, live);
    } finally {
      this.handling = false;
      this.sendAcks();
    }
  }

  private async renewLease(rest: RedisRawEntry[], elapsedMs: number): Promise<RedisRawEntry[]> {
    const { group, consumer } = this.settings;
    // Min idle just under our own: an entry another consumer took meanwhile is younger, so it stays theirs.
    const ids = await this.conn.xclaim(
      this.key, group, consumer, Math.floor(elapsedMs * 0.9), ...rest.map((e) => e.entryId), 'JUSTID',
    );
    const kept = new Set((ids as unknown[]).map(String));
    return rest.filter((e) => kept.has(e.entryId));
  }

  // EntryStore

  ack(entryId: string): void {
    this.ackQueue.push(entryId);
    // Acks given in the same tick (a whole batch) leave as one XACK.
    if (this.ackScheduled) return;
    this.ackScheduled = true;
    queueMicrotask(() => {
      this.ackScheduled = false;
      if (this.acksInFlight.size === 0) this.sendAcks();
    });
  }

  async deadLetter(letter: DeadLetter): Promise<void> {
    const results = await this.conn
      .multi()
      .xadd(this.options.deadKey, 'MAXLEN', '~', this.options.maxLen, '*', 'd', JSON.stringify(letter))
      .xack(this.key, this.settings.group, letter.entryId)
      .exec();
    const failed = results?.find(([err]) => err);
    if (!results || failed) throw failed?.[0] ?? new Error('dead-letter transaction aborted');
  }

  async redeliver(entryId: string, previousDeliveries: number, waitedMs: number): Promise<number | undefined> {
    const { group, consumer } = this.settings;
    // XCLAIM to ourselves bumps Redis's delivery counter and resets the idle clock; empty when
    // another consumer reclaimed the entry during the backoff (it is younger than our wait).
    const reply = await this.conn.xclaim(this.key, group, consumer, Math.floor(waitedMs * 0.9), entryId);
    return parseEntries(reply).length > 0 ? previousDeliveries + 1 : undefined;
  }

  private sendAcks(): void {
    if (this.ackQueue.length === 0) return;
    const ids = this.ackQueue;
    this.ackQueue = [];
    const flight = this.conn
      .xack(this.key, this.settings.group, ...ids)
      .then(
        () => undefined,
        (err: Error) => {
          // Still pending in Redis: re-read (or reclaimed by another consumer) and handled again.
          this.readOwnPending = true;
          this.options.logger.warn(
            { stream: this.settings.stream, group: this.settings.group, count: ids.length, err: err.message },
            'XACK failed; entries will be redelivered',
          );
        },
      )
      .finally(() => {
        this.acksInFlight.delete(flight);
        if (this.acksInFlight.size === 0) this.sendAcks();
      });
    this.acksInFlight.add(flight);
  }

  private async drainAcks(): Promise<void> {
    this.sendAcks();
    while (this.acksInFlight.size > 0) await Promise.all([...this.acksInFlight]);
  }

  private async releaseLeftovers(): Promise<void> {
    if (this.leftovers.length === 0) return;
    const { group, consumer } = this.settings;
    await this.conn.xclaim(
      this.key, group, consumer, 0, ...this.leftovers, 'IDLE', RELEASED_IDLE_MS, 'JUSTID',
    );
    this.leftovers.length = 0;
  }
}

interface RedisRawEntry extends RawEntry {
  deleted: boolean;
}

function toRaw(entry: StreamEntry, deliveries: number): RedisRawEntry {
  return { entryId: entry.id, raw: entry.fields?.e ?? rawOfForeign(entry.fields), deliveries, deleted: !entry.fields };
}

/** An entry without our `e` field (written by hand or by another tool): kept whole for the dead letter. */
function rawOfForeign(fields: Record<string, string> | undefined): string | undefined {
  return fields ? JSON.stringify(fields) : undefined;
}
