import type { Kysely } from 'kysely';
import { SCHEMA, type ConsentDb } from '../db/tables';

type Db = Kysely<ConsentDb>;

// Keys are written only by appendChainBatch (record.repository.ts), together with their record and
// answer, so a stored key always has its response.

export async function deleteIdempotencyKeysBefore(db: Db, before: Date): Promise<number> {
  const r = await db.withSchema(SCHEMA).deleteFrom('idempotency_keys').where('created_at', '<', before).executeTakeFirst();
  return Number(r.numDeletedRows);
}
