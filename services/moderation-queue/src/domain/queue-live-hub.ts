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

// 'pending' is only the instant before the pipeline's verdict: the queue moderators work is 'held'.
const WAITING: ReadonlySet<CommentState | null> = new Set(['held']);

/** Whether a change puts the comment in front of moderators, takes it away, or neither. */
export function queueMovement(change: Pick<QueueChange, 'from' | 'to'>): 'entered' | 'left' | 'changed' {
  if (WAITING.has(change.to) && !WAITING.has(change.from)) return 'entered';
  if (WAITING.has(change.from) && !WAITING.has(change.to)) return 'left';
  return 'changed';
}

/**
 * In-process fan-out of committed changes to open live-queue streams, per site. Each instance
 * sees the changes it committed itself (worker verdicts and decisions made through it).
 */
export class QueueLiveHub {
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
