import type { Kysely } from 'kysely';
import {
  ConsumerGroups,
  Streams,
  commentsStatusChangedV1,
  idempotent,
  type CommentsStatusChangedV1,
  type Logger,
  type StreamTransport,
  type Subscription,
} from '@parley/shared';
import { SCHEMA, type IntakeDb } from '../db/tables';
import { applyStatusChange, type AppliedStatusChange } from '../domain/apply-status-change';
import type { ThreadChanged } from '../domain/thread-live-hub';

/**
 * Moderation's decisions → intake's public read model. The effect and the inbox claim commit
 * together (exactly-once effect); cached pages and live streams, here and on the other instances
 * (ADR 0014), are told only after the commit.
 */
export function subscribeStatusChanged(opts: {
  db: Kysely<IntakeDb>;
  transport: StreamTransport;
  consumer: string;
  threadChanged: ThreadChanged;
  logger: Logger;
}): Subscription {
  const group = ConsumerGroups.commentIntake;
  return opts.transport.subscribe<CommentsStatusChangedV1>({
    stream: Streams.commentsStatusChanged,
    group,
    consumer: opts.consumer,
    schema: commentsStatusChangedV1,
    handler: async (delivery) => {
      let applied: AppliedStatusChange | undefined;
      await idempotent<CommentsStatusChangedV1>(opts.db, SCHEMA, group, async (trx, d) => {
        applied = await applyStatusChange(trx as unknown as Kysely<IntakeDb>, d.envelope);
      })(delivery);
      if (!applied) return;
      // A change readers do not see (pending → held, say) moved no version: nothing to tell.
      if (applied.live) opts.threadChanged(applied.site, applied.thread, applied.live);
      opts.logger.debug({ stream: delivery.stream, messageId: delivery.envelope.id, type: delivery.envelope.type }, 'status change applied');
    },
  });
}
