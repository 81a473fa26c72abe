import type { Logger } from '../logger';
import type { LiveChannel } from './live-channel';

/** NOTIFY refuses payloads of 8,000 bytes or more; a notice stays below with room to spare. */
export const NOTICE_MAX_BYTES = 7_500;

/**
 * Splits changes into notices of at most `maxBytes` of JSON each, in order. Changes carry ids and
 * states, never bodies, so every change fits in a notice of its own.
 */
export function splitNotices<C, N extends { changes: C[] }>(changes: readonly C[], wrap: (changes: C[]) => N, maxBytes = NOTICE_MAX_BYTES): N[] {
  const empty = Buffer.byteLength(JSON.stringify(wrap([])));
  const notices: N[] = [];
  let current: C[] = [];
  let size = empty;
  for (const c of changes) {
    const bytes = Buffer.byteLength(JSON.stringify(c)) + 1; // and a comma
    if (current.length > 0 && size + bytes > maxBytes) {
      notices.push(wrap(current));
      current = [];
      size = empty;
    }
    current.push(c);
    size += bytes;
  }
  if (current.length > 0) notices.push(wrap(current));
  return notices;
}

/**
 * The sending half of a live fan-out (ADR 0014): changes queued in one event-loop turn go out
 * together, split under NOTIFY's limit; while notices are on their way, the changes that arrive wait
 * and go out together once they have gone (a busy service sends a notice per round trip, not per
 * turn). Best effort: a notice that cannot be sent is dropped with one warning per outage (a worker
 * may change thousands of things a second), and one line when notices flow again.
 */
export class LiveNoticeSender<C, N extends { changes: C[] }> {
  private pending: C[] = [];
  private scheduled?: NodeJS.Immediate;
  private readonly sending = new Set<Promise<void>>();
  /** Changes dropped since publishing last failed; undefined while notices go out. */
  private dropped?: number;

  constructor(
    private readonly channel: LiveChannel,
    private readonly wrap: (changes: C[]) => N,
    private readonly logger: Logger,
    /** What a lost notice means, for the warning (e.g. "open streams miss it"). */
    private readonly consequence: string,
  ) {}

  send(changes: readonly C[]): void {
    if (changes.length === 0) return;
    this.pending.push(...changes);
    if (this.sending.size === 0) this.scheduled ??= setImmediate(() => this.flush());
  }

  /** Sends what is pending and waits until every notice has gone (or failed). */
  async drain(): Promise<void> {
    do {
      clearImmediate(this.scheduled);
      this.flush();
      await Promise.all([...this.sending]);
    } while (this.pending.length > 0);
  }

  private flush(): void {
    this.scheduled = undefined;
    if (this.pending.length === 0) return;
    const changes = this.pending;
    this.pending = [];
    for (const notice of splitNotices(changes, this.wrap)) {
      const sent: Promise<void> = this.channel
        .publish(notice)
        .then(
          () => this.sent(),
          (err: unknown) => this.failed(notice.changes.length, err),
        )
        .finally(() => {
          this.sending.delete(sent);
          // What arrived meanwhile goes out now, together.
          if (this.sending.size === 0 && this.pending.length > 0) this.scheduled ??= setImmediate(() => this.flush());
        });
      this.sending.add(sent);
    }
  }

  private sent(): void {
    if (this.dropped === undefined) return;
    this.logger.info({ channel: this.channel.name, dropped: this.dropped }, 'live notices flow again');
    this.dropped = undefined;
  }

  private failed(count: number, err: unknown): void {
    if (this.dropped === undefined) {
      this.logger.warn({ channel: this.channel.name, err: { message: err instanceof Error ? err.message : String(err) } }, `live notice not sent; ${this.consequence}`);
    }
    this.dropped = (this.dropped ?? 0) + count;
  }
}
