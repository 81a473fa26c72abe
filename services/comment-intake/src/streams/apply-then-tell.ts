import type { Kysely } from 'kysely';
import type { z } from 'zod';
import { ConsumerGroups, claimInboxMany, idempotent, type Envelope, type Logger, type StreamTransport, type Subscription } from '@parley/shared';
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

/**
 * `applyThenTell` a batch at a time (ADR 0010): whatever is waiting, up to `batchSize`, is claimed in
 * the inbox and applied in one transaction, so a busy stream costs a commit per batch rather than per
 * event. A throw hands the events over again one by one, where a poison message is dead-lettered alone.
 */
export function applyBatchThenTell<E extends Envelope, A>(
  opts: ConsumerOptions,
  spec: {
    stream: string;
    schema: z.ZodType<E>;
    batchSize?: number;
    /** Applies the events (in stream order, already claimed) with `trx`; returns what to tell. */
    apply(trx: Kysely<IntakeDb>, envelopes: E[]): Promise<A[]>;
    tell(applied: A, threadChanged: ThreadChanged): void;
  },
): Subscription {
  const group = ConsumerGroups.commentIntake;
  return opts.transport.subscribe<E>({
    stream: spec.stream,
    group,
    consumer: opts.consumer,
    schema: spec.schema,
    batchSize: spec.batchSize ?? 200,
    batchHandler: async (deliveries) => {
      const applied = await opts.db.transaction().execute(async (trx) => {
        const claimed = await claimInboxMany(trx, SCHEMA, group, deliveries.map((d) => d.envelope.id));
        const fresh: E[] = [];
        for (const d of deliveries) {
          // An id claimed once: a redelivered event, or the same event twice in one read.
          if (claimed.delete(d.envelope.id)) fresh.push(d.envelope);
        }
        return fresh.length === 0 ? [] : spec.apply(trx as unknown as Kysely<IntakeDb>, fresh);
      });
      for (const a of applied) spec.tell(a, opts.threadChanged);
      opts.logger.debug({ stream: spec.stream, count: deliveries.length, applied: applied.length }, 'events applied');
    },
  });
}
