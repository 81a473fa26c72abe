import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { LiveNoticeSender, NOTICE_MAX_BYTES, siteIdSchema, splitNotices, threadIdSchema, type LiveChannel, type Logger, type PublicComment } from '@parley/shared';
import type { LiveEvent, ThreadLiveHub } from '../domain/thread-live-hub';
import { threadKey, type ThreadPageCache } from '../domain/thread-page-cache';

/** The Postgres NOTIFY channel intake instances tell each other about thread changes on. */
export const LIVE_THREAD_CHANNEL = 'intake_live';

const changeSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('comment'), site: siteIdSchema, thread: threadIdSchema, id: z.uuid() }),
  z.object({ kind: z.literal('removed'), site: siteIdSchema, thread: threadIdSchema, id: z.uuid() }),
  /** Something else readers see changed (the thread's version moved, say by an author's deletion of a pending comment): caches only. */
  z.object({ kind: z.literal('thread'), site: siteIdSchema, thread: threadIdSchema }),
  /** A moderator closed or reopened the thread: caches, and open pages show or hide the form. */
  z.object({ kind: z.literal('closed'), site: siteIdSchema, thread: threadIdSchema, closed: z.boolean() }),
]);
type ThreadChange = z.infer<typeof changeSchema>;
const noticeSchema = z.object({ from: z.string().min(1).max(64), changes: z.array(changeSchema).min(1) });
type Notice = z.infer<typeof noticeSchema>;

/** Splits changes into notices under NOTIFY's limit, in order (see `splitNotices`). */
export function toNotices(from: string, changes: readonly ThreadChange[], maxBytes = NOTICE_MAX_BYTES): Notice[] {
  return splitNotices(changes, (c) => ({ from, changes: c }), maxBytes);
}

/** The public view of an approved comment of the thread; undefined when it is not approved (any more). */
export type LoadPublicComment = (site: string, thread: string, id: string) => Promise<PublicComment | undefined>;

/**
 * Carries committed thread changes to every intake instance (ADR 0014): a `comments.status-changed`
 * or `threads.changed` event is handled by one instance of the consumer group and an author's delete
 * by whichever instance got the call, but readers' open streams and cached pages are on all of them.
 *
 * `changed()` (the IntakeContext's `threadChanged`) acts on this instance at once — invalidates its
 * cached pages, pushes the event to its open streams — and queues a notice of ids (no comment text);
 * changes of one event-loop turn go out together. Every other instance invalidates its pages of the
 * thread and, only if it has open streams on that thread, loads the approved comment's public view
 * and pushes it. This instance ignores its own notices (it acted already).
 *
 * Best effort: a notice that cannot be sent is logged (once per outage) and dropped, never failing
 * the change that caused it; other instances' pages then catch up within the version memo (≈ 1 s)
 * and their streams on the next reconnect.
 */
export class LiveThreadFanOut {
  /** This instance's id in notices, so it can skip its own. */
  readonly origin = randomUUID();
  private readonly sender: LiveNoticeSender<ThreadChange, Notice>;
  /** Pushes to open streams, one after another, so a removal never overtakes its comment's load. */
  private delivering: Promise<void> = Promise.resolve();
  private unsubscribe?: () => void;

  constructor(
    private readonly channel: LiveChannel,
    private readonly hub: ThreadLiveHub,
    private readonly pages: ThreadPageCache,
    private readonly loadComment: LoadPublicComment,
    private readonly logger: Logger,
  ) {
    this.sender = new LiveNoticeSender(channel, (changes) => ({ from: this.origin, changes }), logger, 'other instances’ readers miss it');
  }

  async start(): Promise<void> {
    this.unsubscribe ??= this.channel.subscribe((notice) => this.receive(notice));
    await this.channel.start();
  }

  /** After a commit: acts here at once, then tells the other instances. Never throws. */
  readonly changed = (site: string, thread: string, event?: LiveEvent): void => {
    this.pages.invalidate(threadKey(site, thread));
    if (event) this.hub.publish(site, thread, event);
    this.sender.send([toChange(site, thread, event)]);
  };

  /** Sends what is pending, waits for what is being sent and pushed, then stops listening. */
  async close(): Promise<void> {
    await this.sender.drain();
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    await this.delivering;
    await this.channel.close();
  }

  private receive(notice: unknown): void {
    const parsed = noticeSchema.safeParse(notice);
    if (!parsed.success) {
      this.logger.warn({ channel: LIVE_THREAD_CHANNEL, issues: parsed.error.issues.slice(0, 3).map((i) => i.path.join('.')) }, 'live thread notice ignored: not a notice this version reads');
      return;
    }
    if (parsed.data.from === this.origin) return;
    for (const change of parsed.data.changes) {
      this.pages.invalidate(threadKey(change.site, change.thread));
      if (change.kind === 'thread' || !this.hub.watching(change.site, change.thread)) continue;
      this.delivering = this.delivering.then(() => this.deliver(change));
    }
  }

  private async deliver(change: Exclude<ThreadChange, { kind: 'thread' }>): Promise<void> {
    if (change.kind === 'removed') {
      this.hub.publish(change.site, change.thread, { type: 'removed', id: change.id });
      return;
    }
    if (change.kind === 'closed') {
      this.hub.publish(change.site, change.thread, { type: 'closed', closed: change.closed });
      return;
    }
    try {
      const comment = await this.loadComment(change.site, change.thread, change.id);
      if (comment) this.hub.publish(change.site, change.thread, { type: 'comment', comment });
    } catch (err) {
      this.logger.warn({ channel: LIVE_THREAD_CHANNEL, err: { message: (err as Error).message } }, 'approved comment not loaded for open streams; they catch up on reconnect');
    }
  }
}

/** A change as a notice carries it: ids and flags, never comment text. */
function toChange(site: string, thread: string, event: LiveEvent | undefined): ThreadChange {
  if (!event) return { kind: 'thread', site, thread };
  switch (event.type) {
    case 'comment':
      return { kind: 'comment', site, thread, id: event.comment.id };
    case 'removed':
      return { kind: 'removed', site, thread, id: event.id };
    case 'closed':
      return { kind: 'closed', site, thread, closed: event.closed };
  }
}
