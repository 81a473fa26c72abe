import type { Kysely } from 'kysely';
import { ConsumerGroups, idempotent, type Delivery, type Envelope } from '@parley/shared';
import { SCHEMA, type ModerationDb } from '../db/tables';
import type { QueueChange } from '../domain/queue-live-hub';
import type { ConsumerOptions } from './submitted.consumer';

type Apply<E extends Envelope> = (db: Kysely<ModerationDb>, envelope: E, now: Date) => Promise<QueueChange | undefined>;

/**
 * Runs `apply` once per event (inbox, one transaction) and announces the queue change it made only
 * after that transaction committed: a rolled-back or redelivered event announces nothing.
 */
export function queueEffect<E extends Envelope>(opts: ConsumerOptions, apply: Apply<E>): (delivery: Delivery<E>) => Promise<QueueChange | undefined> {
  const pending = new Map<string, QueueChange>();
  const effect = idempotent<E>(opts.db, SCHEMA, ConsumerGroups.moderationQueue, async (trx, d) => {
    const change = await apply(trx as unknown as Kysely<ModerationDb>, d.envelope, opts.now?.() ?? new Date());
    if (change) pending.set(d.envelope.id, change);
  });
  return async (delivery) => {
    const id = delivery.envelope.id;
    try {
      await effect(delivery);
      const change = pending.get(id);
      if (change) opts.onChange(change);
      return change;
    } finally {
      pending.delete(id);
    }
  };
}
