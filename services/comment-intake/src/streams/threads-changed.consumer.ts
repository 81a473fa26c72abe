import { Streams, threadsChangedV1, type Subscription } from '@parley/shared';
import { applyThreadChange, type AppliedThreadChange } from '../domain/apply-thread-change';
import { applyThenTell, type ConsumerOptions } from './apply-then-tell';

/** Moderation's thread closes and reopens → intake's threads, then cached pages, form tokens and open pages. */
export function subscribeThreadsChanged(opts: ConsumerOptions): Subscription {
  return applyThenTell(opts, {
    stream: Streams.threadsChanged,
    schema: threadsChangedV1,
    apply: async (trx, events) => {
      const applied: AppliedThreadChange[] = [];
      for (const e of events) {
        const a = await applyThreadChange(trx, e);
        if (a) applied.push(a);
      }
      return applied;
    },
    tell: (applied, threadChanged) => threadChanged(applied.site, applied.thread, { type: 'closed', closed: applied.closed }),
  });
}
