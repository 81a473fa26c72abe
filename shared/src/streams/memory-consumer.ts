import type { Envelope } from '../contracts/envelope';
import type { Logger } from '../logger';
import type { Metrics } from '../metrics';
import { STANDBY_POLL_MS, processBatch, processEntry, type ConsumerSettings, type DeliveryContext, type EntryStore } from './delivery';
import type { ConsumerGroup, MemoryLog, PendingEntry } from './memory-log';
import { StopSignal } from './stop-signal';
import type { DeadLetter } from './transport';

/** Handlers that never really wait would otherwise keep the event loop to themselves. */
const YIELD_EVERY = 256;

/**
 * One consumer of one group over a MemoryLog, with the Redis consumer's semantics: entries idle
 * ≥ claimIdleMs (or handed back by a stopped consumer) are reclaimed first, then new ones are
 * read, one at a time (there is no read round trip to amortise, so batchSize and blockMs do not
 * apply), or in batch mode up to batchSize of them per handler call. It sleeps until an append or
 * the moment a pending entry turns claimable.
 */
export class MemoryConsumer<E extends Envelope> implements EntryStore {
  private readonly stop = new StopSignal();
  private readonly ctx: DeliveryContext<E>;
  private readonly group: ConsumerGroup;
  private done: Promise<void> = Promise.resolve();

  constructor(
    private readonly log: MemoryLog,
    private readonly settings: ConsumerSettings<E>,
    logger: Logger,
    metrics?: Metrics,
  ) {
    this.group = log.group(settings.group);
    this.ctx = { settings, store: this, stop: this.stop, logger, metrics };
  }

  start(): this {
    this.done = this.run();
    return this;
  }

  async close(): Promise<void> {
    this.stop.raise();
    await this.done;
  }

  private async run(): Promise<void> {
    let sinceYield = 0;
    while (!this.stop.stopped) {
      const now = Date.now();
      const readNew = this.settings.readNewWhen?.() ?? true;
      const taken = this.take(now, readNew);
      if (taken.length === 0) {
        const wait = this.msUntilClaimable(now);
        await this.stop.sleep(readNew ? wait : Math.min(wait, STANDBY_POLL_MS), (wake) => this.log.onWake(wake));
        continue;
      }
      try {
        let rest = taken.map((p) => ({ entryId: p.entry.id, raw: p.entry.raw, deliveries: p.deliveries }));
        if (this.settings.batchHandler) rest = await processBatch(this.ctx, rest);
        for (const entry of rest) {
          // Stopped between entries: what is left stays pending and is handed back below.
          if (this.stop.stopped) break;
          await processEntry(this.ctx, entry);
        }
      } catch (err) {
        // processEntry only throws if logging or metrics do; the entry stays pending for a reclaim.
        this.ctx.logger.error({ stream: this.settings.stream, err: (err as Error).message }, 'stream consumer error');
      }
      if (++sinceYield >= YIELD_EVERY) {
        sinceYield = 0;
        await new Promise<void>((resolve) => setImmediate(resolve));
      }
    }
    this.releaseOwn();
  }

  /** The next entry to handle, or in batch mode up to batchSize of them: reclaimed ones first, then new ones if `readNew`. */
  private take(now: number, readNew: boolean): PendingEntry[] {
    const limit = this.settings.batchHandler ? this.settings.batchSize : 1;
    const taken: PendingEntry[] = [];
    while (taken.length < limit) {
      const next = this.claim(now) ?? (readNew ? this.readNew(now) : undefined);
      if (!next) break;
      taken.push(next);
    }
    return taken;
  }

  /** Takes over an entry whose consumer stopped or has been silent for claimIdleMs. */
  private claim(now: number): PendingEntry | undefined {
    const me = this.settings.consumer;
    for (const p of this.group.pending.values()) {
      if (p.consumer === me) continue;
      if (p.consumer === null || now - p.deliveredAt >= this.settings.claimIdleMs) {
        p.consumer = me;
        p.deliveries += 1;
        p.deliveredAt = now;
        return p;
      }
    }
    return undefined;
  }

  private readNew(now: number): PendingEntry | undefined {
    const entry = this.log.firstAfter(this.group.lastSeq);
    if (!entry) return undefined;
    this.group.lastSeq = entry.seq;
    const p: PendingEntry = { entry, consumer: this.settings.consumer, deliveries: 1, deliveredAt: now };
    this.group.pending.set(entry.id, p);
    return p;
  }

  private msUntilClaimable(now: number): number {
    let soonest = Infinity;
    for (const p of this.group.pending.values()) {
      if (p.consumer === this.settings.consumer) continue;
      soonest = Math.min(soonest, p.deliveredAt + this.settings.claimIdleMs - now);
    }
    return soonest;
  }

  /** On stop: what this consumer still holds is free for the others of its group right away. */
  private releaseOwn(): void {
    let released = false;
    for (const p of this.group.pending.values()) {
      if (p.consumer === this.settings.consumer) {
        p.consumer = null;
        released = true;
      }
    }
    if (released) this.log.wake();
  }

  // EntryStore

  ack(entryId: string): void {
    this.group.pending.delete(entryId);
  }

  async deadLetter(letter: DeadLetter): Promise<void> {
    this.log.addDeadLetter(letter);
    this.group.pending.delete(letter.entryId);
  }

  async redeliver(entryId: string): Promise<number | undefined> {
    const p = this.group.pending.get(entryId);
    if (!p || p.consumer !== this.settings.consumer) return undefined; // reclaimed during the backoff
    p.deliveries += 1;
    p.deliveredAt = Date.now();
    return p.deliveries;
  }
}
