/**
 * A one-way "stop" flag whose sleeps end early when it is raised, so a consumer backing off never
 * holds up shutdown and never leaves a timer behind (Jest reports those as open handles).
 */
export class StopSignal {
  private raised = false;
  private readonly wakers = new Set<() => void>();

  get stopped(): boolean {
    return this.raised;
  }

  raise(): void {
    this.raised = true;
    for (const wake of this.wakers) wake();
    this.wakers.clear();
  }

  /** Resolves after `ms`, or at once when stopped; `wakeOn` lets another event end it early too. */
  sleep(ms: number, wakeOn?: (wake: () => void) => () => void): Promise<void> {
    if (this.raised) return Promise.resolve();
    return new Promise((resolve) => {
      const pending: { timer?: NodeJS.Timeout; unsubscribe?: () => void } = {};
      const done = () => {
        clearTimeout(pending.timer);
        this.wakers.delete(done);
        pending.unsubscribe?.();
        resolve();
      };
      if (Number.isFinite(ms)) pending.timer = setTimeout(done, Math.max(0, ms));
      this.wakers.add(done);
      pending.unsubscribe = wakeOn?.(done);
    });
  }
}
