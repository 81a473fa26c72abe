import type { PublicComment } from '@parley/shared';

/** What open pages of a thread are told: a comment approved, one removed, the thread closed or reopened. */
export type LiveEvent = { type: 'comment'; comment: PublicComment } | { type: 'removed'; id: string } | { type: 'closed'; closed: boolean };
export type LiveListener = (event: LiveEvent) => void;

/**
 * Called after a committed change to a thread: this instance's cached pages of it are invalidated
 * and its open streams get `event` at once, and every other instance is told (ADR 0014), so their
 * caches and streams follow. Best effort, never throws.
 */
export type ThreadChanged = (site: string, thread: string, event?: LiveEvent) => void;

/**
 * The open server-sent-event streams of this process, by thread. Pushes happen after the change
 * has committed: from this instance's own changes, and from the live notices of the others
 * (streams/live-thread.channel.ts), so every open page hears every change whichever instance made it.
 */
export class ThreadLiveHub {
  private readonly listeners = new Map<string, Set<LiveListener>>();

  subscribe(site: string, thread: string, listener: LiveListener): () => void {
    const key = `${site}\u0000${thread}`;
    const set = this.listeners.get(key) ?? new Set();
    set.add(listener);
    this.listeners.set(key, set);
    return () => {
      set.delete(listener);
      if (set.size === 0) this.listeners.delete(key);
    };
  }

  publish(site: string, thread: string, event: LiveEvent): void {
    for (const listener of this.listeners.get(`${site}\u0000${thread}`) ?? []) listener(event);
  }

  /** Whether any open stream of this process follows the thread. */
  watching(site: string, thread: string): boolean {
    return this.listeners.has(`${site}\u0000${thread}`);
  }

  get size(): number {
    let n = 0;
    for (const set of this.listeners.values()) n += set.size;
    return n;
  }
}
