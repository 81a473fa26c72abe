import type { Kysely } from 'kysely';
import type { z } from 'zod';
import { ConsumerGroups, claimDeliveries, type Envelope, type Logger, type StreamTransport, type Subscription } from '@parley/shared';
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
 * Moderation's events → intake's read model, a batch at a time (ADR 0010): whatever is waiting, up to
 * `batchSize`, is claimed in the inbox and applied in one transaction (exactly-once effect), so a busy
 * stream costs a commit per batch rather than per event. Cached pages and live streams, here and on the
 * other instances (ADR 0014), are told only after the commit, so a rolled-back or redelivered event
 * tells nobody anything. A throw hands the events over again one by one, where a poison message is
 * dead-lettered alone.
 */
export function applyThenTell<E extends Envelope, A>(
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
        const fresh = await claimDeliveries(trx, SCHEMA, group, deliveries);
        return fresh.length === 0 ? [] : spec.apply(trx as unknown as Kysely<IntakeDb>, fresh.map((d) => d.envelope));
      });
      for (const a of applied) spec.tell(a, opts.threadChanged);
      opts.logger.debug({ stream: spec.stream, count: deliveries.length, applied: applied.length }, 'events applied');
    },
  });
}
