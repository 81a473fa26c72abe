import { z } from 'zod';
import { commentStatusSchema, siteIdSchema, type LiveChannel, type Logger } from '@parley/shared';
import type { QueueChange, QueueLiveHub, QueueLivePublisher } from '../domain/queue-live-hub';

/** The Postgres NOTIFY channel moderation instances tell each other about queue changes on. */
export const LIVE_QUEUE_CHANNEL = 'moderation_live';

/** NOTIFY refuses payloads of 8,000 bytes or more; a notice stays below with room to spare. */
export const NOTICE_MAX_BYTES = 7_500;

const queueChangeSchema = z.object({
  site: siteIdSchema,
  commentId: z.string().min(1).max(64),
  threadId: z.string().min(1).max(200),
  from: commentStatusSchema.nullable(),
  to: commentStatusSchema,
  at: z.string().max(40),
});
const noticeSchema = z.object({ changes: z.array(queueChangeSchema).min(1) });
type Notice = z.infer<typeof noticeSchema>;

const EMPTY_NOTICE_BYTES = Buffer.byteLength(JSON.stringify({ changes: [] }));

/**
 * Splits changes into notices of at most `maxBytes` of JSON each, in order. A change is a few
 * hundred bytes at most (ids and states, never comment text), so every change fits in a notice.
 */
export function toNotices(changes: readonly QueueChange[], maxBytes = NOTICE_MAX_BYTES): Notice[] {
  const notices: Notice[] = [];
  let current: QueueChange[] = [];
  let size = EMPTY_NOTICE_BYTES;
  for (const c of changes) {
    const bytes = Buffer.byteLength(JSON.stringify(c)) + 1; // and a comma
    if (current.length > 0 && size + bytes > maxBytes) {
      notices.push({ changes: current });
      current = [];
      size = EMPTY_NOTICE_BYTES;
    }
    current.push(c);
    size += bytes;
  }
  if (current.length > 0) notices.push({ changes: current });
  return notices;
}

/**
 * Carries committed queue changes to the live-queue streams of every instance (ADR 0014): a stream
 * event is handled by one instance of the consumer group and a decision by whichever instance got
 * the HTTP call, but moderators' open streams may be on any of them. Use cases publish here after
 * their commit; changes of one tick go out together, in notices under NOTIFY's size limit; every
 * instance (this one included) hands the notices it hears to its own hub.
 *
 * Best effort: a notice that cannot be sent is logged and dropped, never failing the decision
 * that caused it. A moderator's page refetches the queue when its stream reconnects.
 */
export class LiveQueueFanOut implements QueueLivePublisher {
  private pending: QueueChange[] = [];
  private scheduled?: NodeJS.Immediate;
  private readonly sending = new Set<Promise<void>>();
  private unsubscribe?: () => void;
  /** Changes dropped since publishing last failed; undefined while notices go out. */
  private dropped?: number;

  constructor(
    private readonly channel: LiveChannel,
    private readonly hub: QueueLiveHub,
    private readonly logger: Logger,
  ) {}

  async start(): Promise<void> {
    this.unsubscribe ??= this.channel.subscribe((notice) => this.receive(notice));
    await this.channel.start();
  }

  publish(changes: readonly QueueChange[]): void {
    if (changes.length === 0) return;
    this.pending.push(...changes);
    this.scheduled ??= setImmediate(() => this.flush());
  }

  /** Sends what is pending, waits for what is being sent, then stops listening. */
  async close(): Promise<void> {
    clearImmediate(this.scheduled);
    this.flush();
    await Promise.all([...this.sending]);
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    await this.channel.close();
  }

  private flush(): void {
    this.scheduled = undefined;
    const changes = this.pending;
    this.pending = [];
    for (const notice of toNotices(changes)) {
      const sent: Promise<void> = this.channel
        .publish(notice)
        .then(
          () => this.sent(),
          (err: unknown) => this.failed(notice.changes.length, err),
        )
        .finally(() => this.sending.delete(sent));
      this.sending.add(sent);
    }
  }

  private sent(): void {
    if (this.dropped === undefined) return;
    this.logger.info({ channel: LIVE_QUEUE_CHANNEL, dropped: this.dropped }, 'live queue notices flow again');
    this.dropped = undefined;
  }

  private failed(count: number, err: unknown): void {
    // One warning per outage, not one per notice: the worker may decide thousands a second.
    if (this.dropped === undefined) {
      this.logger.warn({ channel: LIVE_QUEUE_CHANNEL, err: { message: err instanceof Error ? err.message : String(err) } }, 'live queue notice not sent; open streams miss it');
    }
    this.dropped = (this.dropped ?? 0) + count;
  }

  private receive(notice: unknown): void {
    const parsed = noticeSchema.safeParse(notice);
    if (!parsed.success) {
      this.logger.warn({ channel: LIVE_QUEUE_CHANNEL, issues: parsed.error.issues.slice(0, 3).map((i) => i.path.join('.')) }, 'live queue notice ignored: not a notice this version reads');
      return;
    }
    this.hub.publish(parsed.data.changes);
  }
}
