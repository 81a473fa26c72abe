import { sql, type Kysely } from 'kysely';
import { SCHEMA, type ConsentDb } from '../db/tables';

type Db = Kysely<ConsentDb>;

export interface KeyClaim {
  site: string;
  key: string;
  requestHash: string;
}

export const keyId = (site: string, key: string) => `${site} ${key}`;

/**
 * Claims keys inside the write's transaction and returns the ones this call got (as `keyId`s). A key
 * held by a concurrent transaction makes this wait until that one ends: after its commit the key is
 * not returned (the caller replays the stored answer), after a rollback it is. Keys are inserted in
 * sorted order so two batches never wait on each other in a cycle.
 */
export async function claimIdempotencyKeys(trx: Db, claims: KeyClaim[]): Promise<Set<string>> {
  if (claims.length === 0) return new Set();
  const sorted = [...claims].sort((a, b) => compare(keyId(a.site, a.key), keyId(b.site, b.key)));
  const rows = await trx
    .withSchema(SCHEMA)
    .insertInto('idempotency_keys')
    .values(sorted.map((k) => ({ site: k.site, key: k.key, request_hash: k.requestHash })))
    .onConflict((oc) => oc.columns(['site', 'key']).doNothing())
    .returning(['site', 'key'])
    .execute();
  return new Set(rows.map((r) => keyId(r.site, r.key)));
}

/** Stores the answers under their claimed keys, in one statement. */
export async function storeIdempotentResponses(trx: Db, answers: { site: string; key: string; response: unknown }[]): Promise<void> {
  if (answers.length === 0) return;
  const values = sql.join(answers.map((a) => sql`(${a.site}, ${a.key}, ${JSON.stringify(a.response)})`));
  await sql`update ${sql.table(`${SCHEMA}.idempotency_keys`)} as k set response = v.response::jsonb
    from (values ${values}) as v(site, key, response) where k.site = v.site and k.key = v.key`.execute(trx);
}

export async function findIdempotencyKeys(db: Db, site: string, keys: string[]): Promise<Map<string, { requestHash: string; response: unknown }>> {
  if (keys.length === 0) return new Map();
  const rows = await db.withSchema(SCHEMA).selectFrom('idempotency_keys').select(['key', 'request_hash', 'response']).where('site', '=', site).where('key', 'in', keys).execute();
  return new Map(rows.map((r) => [r.key, { requestHash: r.request_hash, response: r.response }]));
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export async function deleteIdempotencyKeysBefore(db: Db, before: Date): Promise<number> {
  const r = await db.withSchema(SCHEMA).deleteFrom('idempotency_keys').where('created_at', '<', before).executeTakeFirst();
  return Number(r.numDeletedRows);
}
