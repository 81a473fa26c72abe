import type { Kysely } from 'kysely';
import type { z } from 'zod';
import { ConsumerGroups, idempotent, type Envelope, type Logger, type StreamTransport, type Subscription } from '@parley/shared';
import { SCHEMA, type IntakeDb } from '../db/tables';
import type { ThreadChanged } from '../domain/thread-live-hub';

export interface ConsumerOptions {
  db: Kysely<IntakeDb>;
  transport: StreamTransport;
  consumer: string;
  threadChanged: ThreadChanged;
  logger: Logger;
}

/**
 * One of moderation's events → intake's read model. The effect and the inbox claim commit together
 * (exactly-once effect); cached pages and live streams, here and on the other instances (ADR 0014),
 * are told only after the commit, so a rolled-back or redelivered event tells nobody anything.
 */
export function applyThenTell<E extends Envelope, A>(
  opts: ConsumerOptions,
  spec: {
    stream: string;
    schema: z.ZodType<E>;
    apply(db: Kysely<IntakeDb>, envelope: E): Promise<A | undefined>;
    tell(applied: A, threadChanged: ThreadChanged): void;
  },
): Subscription {
  const group = ConsumerGroups.commentIntake;
  return opts.transport.subscribe<E>({
    stream: spec.stream,
    group,
    consumer: opts.consumer,
    schema: spec.schema,
    handler: async (delivery) => {
      let applied: A | undefined;
      await idempotent<E>(opts.db, SCHEMA, group, async (trx, d) => {
        applied = await spec.apply(trx as unknown as Kysely<IntakeDb>, d.envelope);
      })(delivery);
      if (applied === undefined) return;
      spec.tell(applied, opts.threadChanged);
      opts.logger.debug({ stream: delivery.stream, messageId: delivery.envelope.id, type: delivery.envelope.type }, 'event applied');
    },
  });
}
