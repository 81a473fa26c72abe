import { z } from 'zod';
import { LiveNoticeSender, NOTICE_MAX_BYTES, commentStatusSchema, siteIdSchema, splitNotices, type LiveChannel, type Logger } from '@parley/shared';
import type { QueueChange, QueueLiveHub, QueueLivePublisher } from '../domain/queue-live-hub';

/** The Postgres NOTIFY channel moderation instances tell each other about queue changes on. */
export const LIVE_QUEUE_CHANNEL = 'moderation_live';

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

/** Splits changes into notices under NOTIFY's limit, in order (see `splitNotices`). */
export function toNotices(changes: readonly QueueChange[], maxBytes = NOTICE_MAX_BYTES): Notice[] {
  return splitNotices(changes, (c) => ({ changes: c }), maxBytes);
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
  private readonly sender: LiveNoticeSender<QueueChange, Notice>;
  private unsubscribe?: () => void;

  constructor(
    private readonly channel: LiveChannel,
    private readonly hub: QueueLiveHub,
    private readonly logger: Logger,
  ) {
    this.sender = new LiveNoticeSender(channel, (changes) => ({ changes }), logger, 'open live-queue streams miss it');
  }

  async start(): Promise<void> {
    this.unsubscribe ??= this.channel.subscribe((notice) => this.receive(notice));
    await this.channel.start();
  }

  publish(changes: readonly QueueChange[]): void {
    this.sender.send(changes);
  }

  /** Sends what is pending, waits for what is being sent, then stops listening. */
  async close(): Promise<void> {
    await this.sender.drain();
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    await this.channel.close();
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
