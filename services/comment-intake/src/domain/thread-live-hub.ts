import type { PublicComment } from '@parley/shared';

export type LiveEvent = { type: 'comment'; comment: PublicComment } | { type: 'removed'; id: string };
export type LiveListener = (event: LiveEvent) => void;

/**
 * The open server-sent-event streams of this process, by thread. Pushes happen after the change
 * has committed. With several intake instances only the one that consumed an event pushes it;
 * pages on the others catch up on reconnect (see the service notes).
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

  get size(): number {
    let n = 0;
    for (const set of this.listeners.values()) n += set.size;
    return n;
  }
}
