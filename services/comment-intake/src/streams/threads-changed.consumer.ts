import { Streams, threadsChangedV1, type Subscription } from '@parley/shared';
import { applyThreadChange } from '../domain/apply-thread-change';
import { applyThenTell, type ConsumerOptions } from './apply-then-tell';

/** Moderation's thread closes and reopens → intake's threads, then cached pages and form tokens. */
export function subscribeThreadsChanged(opts: ConsumerOptions): Subscription {
  return applyThenTell(opts, {
    stream: Streams.threadsChanged,
    schema: threadsChangedV1,
    apply: applyThreadChange,
    tell: (applied, threadChanged) => threadChanged(applied.site, applied.thread),
  });
}
