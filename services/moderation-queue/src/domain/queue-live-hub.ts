import type { CommentState } from '../db/tables';

/** One change of a comment's state, as the live queue shows it. */
export interface QueueChange {
  site: string;
  commentId: string;
  threadId: string;
  from: CommentState | null;
  to: CommentState;
  at: string;
}

type Listener = (change: QueueChange) => void;

/** Where use cases announce committed changes: the hub itself, or the fan-out to every instance's hub. */
export interface QueueLivePublisher {
  publish(changes: readonly QueueChange[]): void;
}

// 'pending' is only the instant before the pipeline's verdict: the queue moderators work is 'held'.
const WAITING: ReadonlySet<CommentState | null> = new Set(['held']);

/** Whether a change puts the comment in front of moderators, takes it away, or neither. */
export function queueMovement(change: Pick<QueueChange, 'from' | 'to'>): 'entered' | 'left' | 'changed' {
  if (WAITING.has(change.to) && !WAITING.has(change.from)) return 'entered';
  if (WAITING.has(change.from) && !WAITING.has(change.to)) return 'left';
  return 'changed';
}

/**
 * This instance's open live-queue streams, per site. In a service it is fed by the live channel
 * (streams/live-queue.channel.ts), which carries every instance's committed changes to every hub.
 */
export class QueueLiveHub implements QueueLivePublisher {
  private readonly listeners = new Map<string, Set<Listener>>();

  subscribe(site: string, listener: Listener): () => void {
    const set = this.listeners.get(site) ?? new Set<Listener>();
    set.add(listener);
    this.listeners.set(site, set);
    return () => {
      set.delete(listener);
      if (set.size === 0) this.listeners.delete(site);
    };
  }

  publish(changes: readonly QueueChange[]): void {
    for (const c of changes) for (const l of this.listeners.get(c.site) ?? []) l(c);
  }
}
