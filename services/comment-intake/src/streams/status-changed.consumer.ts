import { Streams, commentsStatusChangedV1, type Subscription } from '@parley/shared';
import { applyStatusChanges } from '../domain/apply-status-change';
import { applyThenTell, type ConsumerOptions } from './apply-then-tell';

/** Moderation's decisions → intake's public read model, a batch per read, then pages and live streams. */
export function subscribeStatusChanged(opts: ConsumerOptions): Subscription {
  return applyThenTell(opts, {
    stream: Streams.commentsStatusChanged,
    schema: commentsStatusChangedV1,
    apply: applyStatusChanges,
    // A change readers do not see (pending → held, say) moved no version: nothing to tell.
    tell: (applied, threadChanged) => {
      if (applied.live) threadChanged(applied.site, applied.thread, applied.live);
    },
  });
}
