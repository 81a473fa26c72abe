import { ConsumerGroups, Streams, privacyRequestsV1, type PrivacyRequestsV1, type Subscription } from '@parley/shared';
import { applyPrivacyRequest } from '../domain/apply-privacy-request';
import { queueEffect } from './queue-effect';
import type { ConsumerOptions } from './submitted.consumer';

/**
 * `privacy.requests` from intake → an erasure erases moderation's copy of the comments (see
 * applyPrivacyRequest); an export needs nothing here and is acknowledged without a transaction.
 */
export function subscribePrivacyRequests(opts: ConsumerOptions): Subscription {
  const run = queueEffect<PrivacyRequestsV1>(opts, applyPrivacyRequest);
  return opts.transport.subscribe<PrivacyRequestsV1>({
    stream: Streams.privacyRequests,
    group: ConsumerGroups.moderationQueue,
    consumer: opts.consumer,
    schema: privacyRequestsV1,
    claimIdleMs: opts.claimIdleMs,
    handler: async (delivery) => {
      const e = delivery.envelope;
      const log = { stream: delivery.stream, messageId: e.id, type: e.type, requestId: e.payload.requestId, kind: e.payload.kind };
      if (e.payload.kind !== 'erase') {
        opts.logger.debug(log, 'privacy request needs nothing of moderation');
        return;
      }
      const changes = await run(delivery);
      opts.logger.info({ ...log, site: e.site, named: e.payload.commentIds.length, erased: changes.length }, 'privacy request applied');
    },
  });
}
