import type { DeadLetter } from './transport';

/** The in-process counterpart of a Redis stream: an append-only log, its groups and its dead letters. */

export interface LogEntry {
  /** Internal order; ids compare by it. */
  seq: number;
  /** When it was appended (ms since the epoch): the first part of its id. */
  at: number;
  /** `<ms>-<n>` like Redis, strictly increasing. */
  id: string;
  /** The envelope as JSON text, so consumers get their own copy and bad text is possible, as in Redis. */
  raw: string;
}

export interface PendingEntry {
  entry: LogEntry;
  /** null once its consumer stopped: anyone in the group may take it at once. */
  consumer: string | null;
  deliveries: number;
  deliveredAt: number;
}

export class ConsumerGroup {
  /** seq of the last entry handed to any consumer of the group. */
  lastSeq = 0;
  /** Delivered, not yet acknowledged; Map order = delivery order. */
  readonly pending = new Map<string, PendingEntry>();
}

export class MemoryLog {
  private entries: LogEntry[] = [];
  private head = 0;
  private seq = 0;
  private lastMs = 0;
  private sameMs = 0;
  readonly groups = new Map<string, ConsumerGroup>();
  readonly dead: DeadLetter[] = [];
  private readonly waiters = new Set<() => void>();

  constructor(private readonly maxLen: number) {}

  get length(): number {
    return this.entries.length - this.head;
  }

  append(raw: string): string {
    const now = Date.now();
    if (now > this.lastMs) {
      this.lastMs = now;
      this.sameMs = 0;
    } else {
      this.sameMs += 1;
    }
    const entry = { seq: ++this.seq, at: this.lastMs, id: `${this.lastMs}-${this.sameMs}`, raw };
    this.entries.push(entry);
    if (this.length > this.maxLen) this.head = this.entries.length - this.maxLen;
    this.compact();
    return entry.id;
  }

  /**
   * Drops entries appended before `ms` that every group has read and acknowledged, and dead letters
   * from before then (as the Redis transport's trimBefore does). Returns how many went.
   */
  trimBefore(ms: number): number {
    let keepFrom = Infinity;
    for (const g of this.groups.values()) {
      keepFrom = Math.min(keepFrom, g.lastSeq + 1);
      for (const p of g.pending.values()) keepFrom = Math.min(keepFrom, p.entry.seq);
    }
    const from = this.head;
    while (this.head < this.entries.length) {
      const e = this.entries[this.head]!;
      if (e.at >= ms || e.seq >= keepFrom) break;
      this.head += 1;
    }
    const removed = this.head - from;
    this.compact();
    const deadBefore = this.dead.findIndex((d) => Date.parse(d.deadAt) >= ms);
    const dead = deadBefore === -1 ? this.dead.length : deadBefore;
    this.dead.splice(0, dead);
    return removed + dead;
  }

  /** Drops the trimmed prefix now and then rather than shifting the array on every append. */
  private compact(): void {
    if (this.head > 1024 && this.head * 2 > this.entries.length) {
      this.entries = this.entries.slice(this.head);
      this.head = 0;
    }
  }

  addDeadLetter(letter: DeadLetter): void {
    this.dead.push(letter);
    if (this.dead.length > this.maxLen) this.dead.splice(0, this.dead.length - this.maxLen);
  }

  group(name: string): ConsumerGroup {
    let g = this.groups.get(name);
    if (!g) {
      // Like the Redis groups (created at id 0): a new group reads everything still in the log.
      g = new ConsumerGroup();
      this.groups.set(name, g);
    }
    return g;
  }

  /** The first entry after `seq` still in the log (trimmed ones are gone, as in Redis). */
  firstAfter(seq: number): LogEntry | undefined {
    return this.entries[this.indexAfter(seq)];
  }

  /** How many entries still in the log come after `seq`. */
  countAfter(seq: number): number {
    return this.entries.length - this.indexAfter(seq);
  }

  private indexAfter(seq: number): number {
    let lo = this.head;
    let hi = this.entries.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.entries[mid]!.seq <= seq) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Resolves on the next append (or `wake()`); returns a function that cancels the wait. */
  onWake(callback: () => void): () => void {
    this.waiters.add(callback);
    return () => this.waiters.delete(callback);
  }

  wake(): void {
    const waiters = [...this.waiters];
    this.waiters.clear();
    for (const w of waiters) w();
  }
}
