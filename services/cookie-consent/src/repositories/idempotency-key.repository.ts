import type { Kysely } from 'kysely';
import { SCHEMA, type ConsentDb } from '../db/tables';

type Db = Kysely<ConsentDb>;

/**
 * Stores the answer under its key inside the write's transaction; false when the key is taken. A
 * concurrent write with the same key waits on the unique index until the first one ends: after its
 * commit this returns false (and the caller rolls back its own record), after a rollback it wins.
 */
export async function insertIdempotencyKey(trx: Db, site: string, key: string, requestHash: string, response: unknown): Promise<boolean> {
  const r = await trx
    .withSchema(SCHEMA)
    .insertInto('idempotency_keys')
    .values({ site, key, request_hash: requestHash, response: JSON.stringify(response) })
    .onConflict((oc) => oc.columns(['site', 'key']).doNothing())
    .executeTakeFirst();
  return Number(r.numInsertedOrUpdatedRows ?? 0) === 1;
}

export async function findIdempotencyKey(db: Db, site: string, key: string): Promise<{ requestHash: string; response: unknown } | undefined> {
  const row = await db.withSchema(SCHEMA).selectFrom('idempotency_keys').select(['request_hash', 'response']).where('site', '=', site).where('key', '=', key).executeTakeFirst();
  return row && { requestHash: row.request_hash, response: row.response };
}
