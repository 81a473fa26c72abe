import { sql, type Kysely } from 'kysely';
import type { IntakeDb } from '../db/tables';

type Db = Kysely<IntakeDb>;

/**
 * Takes the transaction-scoped locks of keys without waiting: a key not taken means another
 * request with it is running right now (on any instance), which the caller answers 409.
 */
/** Many keys at once (one batch): the set of those taken by this transaction. */
export async function tryLockIdempotencyKeys(db: Db, keys: { siteId: string; key: string }[]): Promise<Set<string>> {
  if (keys.length === 0) return new Set();
  const names = keys.map((k) => `intake.idem:${k.siteId}:${k.key}`);
  const r = await sql<{ name: string; locked: boolean }>`select name, pg_try_advisory_xact_lock(hashtextextended(name, 0)) as locked from unnest(${names}::text[]) as name`.execute(db);
  return new Set(r.rows.filter((row) => row.locked).map((row) => row.name));
}

export const idempotencyLockName = (siteId: string, key: string): string => `intake.idem:${siteId}:${key}`;

export async function findIdempotencyKeys(db: Db, keys: { siteId: string; key: string }[]) {
  if (keys.length === 0) return new Map<string, { request_hash: string; status: number; response: unknown }>();
  const rows = await db
    .selectFrom('intake.idempotency_keys')
    .select(['site_id', 'key', 'request_hash', 'status', 'response'])
    .where((eb) => eb(eb.refTuple('site_id', 'key'), 'in', keys.map((k) => eb.tuple(k.siteId, k.key))))
    .execute();
  return new Map(rows.map((r) => [idempotencyLockName(r.site_id, r.key), r]));
}

export async function insertIdempotencyKeys(db: Db, rows: { siteId: string; key: string; requestHash: string; status: number; response: unknown }[]): Promise<void> {
  if (rows.length === 0) return;
  await db
    .insertInto('intake.idempotency_keys')
    .values(rows.map((row) => ({ site_id: row.siteId, key: row.key, request_hash: row.requestHash, status: row.status, response: JSON.stringify(row.response) })))
    .execute();
}

/** Forgets keys older than `before`; returns how many. */
export async function deleteIdempotencyKeysBefore(db: Db, before: Date): Promise<number> {
  const r = await db.deleteFrom('intake.idempotency_keys').where('created_at', '<', before).executeTakeFirst();
  return Number(r.numDeletedRows);
}
