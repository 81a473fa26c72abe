import type { Kysely } from 'kysely';
import {
  ConsumerGroups,
  Streams,
  idempotent,
  threadsChangedV1,
  type Logger,
  type StreamTransport,
  type Subscription,
  type ThreadsChangedV1,
} from '@parley/shared';
import { SCHEMA, type IntakeDb } from '../db/tables';
import { applyThreadChange, type AppliedThreadChange } from '../domain/apply-thread-change';
import type { ThreadChanged } from '../domain/thread-live-hub';

/**
 * Moderation's thread closes and reopens → intake's threads. The effect and the inbox claim commit
 * together (exactly-once effect); cached pages, here and on the other instances, are told only
 * after the commit.
 */
export function subscribeThreadsChanged(opts: {
  db: Kysely<IntakeDb>;
  transport: StreamTransport;
  consumer: string;
  threadChanged: ThreadChanged;
  logger: Logger;
}): Subscription {
  const group = ConsumerGroups.commentIntake;
  return opts.transport.subscribe<ThreadsChangedV1>({
    stream: Streams.threadsChanged,
    group,
    consumer: opts.consumer,
    schema: threadsChangedV1,
    handler: async (delivery) => {
      let applied: AppliedThreadChange | undefined;
      await idempotent<ThreadsChangedV1>(opts.db, SCHEMA, group, async (trx, d) => {
        applied = await applyThreadChange(trx as unknown as Kysely<IntakeDb>, d.envelope);
      })(delivery);
      if (!applied) return;
      opts.threadChanged(applied.site, applied.thread);
      opts.logger.debug({ stream: delivery.stream, messageId: delivery.envelope.id, type: delivery.envelope.type }, 'thread change applied');
    },
  });
}
