import { sql, type Kysely } from 'kysely';
import type { IntakeDb } from '../db/tables';

type Db = Kysely<IntakeDb>;

/**
 * Takes the transaction-scoped lock of one key without waiting: false means another request with
 * the same key is running right now (on any instance), which the caller answers 409.
 */
export async function tryLockIdempotencyKey(db: Db, siteId: string, key: string): Promise<boolean> {
  const r = await sql<{ locked: boolean }>`select pg_try_advisory_xact_lock(hashtextextended(${`intake.idem:${siteId}:${key}`}, 0)) as locked`.execute(db);
  return r.rows[0]?.locked === true;
}

export async function findIdempotencyKey(db: Db, siteId: string, key: string) {
  return db
    .selectFrom('intake.idempotency_keys')
    .select(['request_hash', 'status', 'response'])
    .where('site_id', '=', siteId)
    .where('key', '=', key)
    .executeTakeFirst();
}

export async function insertIdempotencyKey(db: Db, row: { siteId: string; key: string; requestHash: string; status: number; response: unknown }): Promise<void> {
  await db
    .insertInto('intake.idempotency_keys')
    .values({ site_id: row.siteId, key: row.key, request_hash: row.requestHash, status: row.status, response: JSON.stringify(row.response) })
    .execute();
}

/** Forgets keys older than `before`; returns how many. */
export async function deleteIdempotencyKeysBefore(db: Db, before: Date): Promise<number> {
  const r = await db.deleteFrom('intake.idempotency_keys').where('created_at', '<', before).executeTakeFirst();
  return Number(r.numDeletedRows);
}
