import type { Kysely } from 'kysely';
import { ConsumerGroups, idempotent, type Delivery, type Envelope } from '@parley/shared';
import { SCHEMA, type ModerationDb } from '../db/tables';
import type { QueueChange } from '../domain/queue-live-hub';
import type { ConsumerOptions } from './submitted.consumer';

type Made = QueueChange | readonly QueueChange[] | undefined;
type Apply<E extends Envelope> = (db: Kysely<ModerationDb>, envelope: E, now: Date) => Promise<Made>;

const listOf = (made: Made): readonly QueueChange[] => (made === undefined ? [] : Array.isArray(made) ? made : [made as QueueChange]);

/**
 * Runs `apply` once per event (inbox, one transaction) and announces the queue changes it made only
 * after that transaction committed: a rolled-back or redelivered event announces nothing.
 */
export function queueEffect<E extends Envelope>(opts: ConsumerOptions, apply: Apply<E>): (delivery: Delivery<E>) => Promise<readonly QueueChange[]> {
  const pending = new Map<string, readonly QueueChange[]>();
  const effect = idempotent<E>(opts.db, SCHEMA, ConsumerGroups.moderationQueue, async (trx, d) => {
    const changes = listOf(await apply(trx as unknown as Kysely<ModerationDb>, d.envelope, opts.now?.() ?? new Date()));
    if (changes.length > 0) pending.set(d.envelope.id, changes);
  });
  return async (delivery) => {
    const id = delivery.envelope.id;
    try {
      await effect(delivery);
      const changes = pending.get(id) ?? [];
      for (const change of changes) opts.onChange(change);
      return changes;
    } finally {
      pending.delete(id);
    }
  };
}
