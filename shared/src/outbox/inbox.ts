import type { Kysely, Transaction } from 'kysely';
import type { Envelope } from '../contracts/envelope';
import type { Delivery, Handler } from '../streams/transport';
import { assertSchemaName } from '../db/schema-name';

/**
 * Records that `group` has applied event `eventId`. True the first time; false when it was already
 * recorded. Inside the effect's transaction a concurrent claim of the same event waits for this one
 * to commit or roll back, so two consumers never both get true.
 */
export async function claimInbox(trx: Kysely<any>, schema: string, group: string, eventId: string): Promise<boolean> {
  assertSchemaName(schema);
  const inserted = await trx
    .insertInto(`${schema}.inbox`)
    .values({ consumer_group: group, event_id: eventId })
    .onConflict((oc) => oc.columns(['consumer_group', 'event_id']).doNothing())
    .returning('event_id')
    .executeTakeFirst();
  return inserted !== undefined;
}

/**
 * claimInbox for many events in one statement: returns the ids claimed now (the others were
 * already applied). Claimed in id order, so two transactions claiming overlapping sets wait for
 * each other instead of deadlocking.
 */
export async function claimInboxMany(trx: Kysely<any>, schema: string, group: string, eventIds: readonly string[]): Promise<Set<string>> {
  assertSchemaName(schema);
  const ids = [...new Set(eventIds)].sort();
  if (ids.length === 0) return new Set();
  const inserted = await trx
    .insertInto(`${schema}.inbox`)
    .values(ids.map((id) => ({ consumer_group: group, event_id: id })))
    .onConflict((oc) => oc.columns(['consumer_group', 'event_id']).doNothing())
    .returning('event_id')
    .execute();
  return new Set(inserted.map((r) => r.event_id as string));
}

/**
 * A batch's deliveries to apply, after claiming their events in the inbox (`claimInboxMany`, same
 * transaction as the effect): those claimed now, each event once. A redelivered event, or the same
 * event twice in one read, is left out.
 */
export async function claimDeliveries<E extends Envelope>(
  trx: Kysely<any>,
  schema: string,
  group: string,
  deliveries: readonly Delivery<E>[],
): Promise<Delivery<E>[]> {
  const claimed = await claimInboxMany(trx, schema, group, deliveries.map((d) => d.envelope.id));
  return deliveries.filter((d) => claimed.delete(d.envelope.id));
}

/**
 * Wraps an effect into a stream handler with exactly-once effect: the inbox claim and the effect
 * commit in one transaction. A redelivery of an applied event commits nothing and resolves, so the
 * transport acknowledges it; a throw rolls back both, so the next delivery tries again.
 * The effect must use `trx` only: on PGlite (one connection) a query on the outer db would wait forever.
 */
export function idempotent<E extends Envelope>(
  db: Kysely<any>,
  schema: string,
  group: string,
  effect: (trx: Transaction<any>, delivery: Delivery<E>) => Promise<void>,
): Handler<E> {
  assertSchemaName(schema);
  return async (delivery) => {
    await db.transaction().execute(async (trx) => {
      if (await claimInbox(trx, schema, group, delivery.envelope.id)) await effect(trx, delivery);
    });
  };
}

/**
 * Forgets events applied before `olderThan`; returns how many. Keep the window well beyond the
 * longest a message can wait for redelivery, or a very late duplicate would be applied again.
 */
export async function pruneInbox(db: Kysely<any>, schema: string, olderThan: Date): Promise<number> {
  assertSchemaName(schema);
  const result = await db.deleteFrom(`${schema}.inbox`).where('processed_at', '<', olderThan).executeTakeFirst();
  return Number(result.numDeletedRows);
}
