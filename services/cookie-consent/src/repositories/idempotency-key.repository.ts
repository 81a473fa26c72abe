import type { Kysely } from 'kysely';
import { SCHEMA, type ConsentDb } from '../db/tables';

type Db = Kysely<ConsentDb>;

// Keys are written only by appendChainBatches (record.repository.ts), together with the record they
// point at, so a stored key always has its answer (or had: see StoredKey).

export async function deleteIdempotencyKeysBefore(db: Db, before: Date): Promise<number> {
  const r = await db.withSchema(SCHEMA).deleteFrom('idempotency_keys').where('created_at', '<', before).executeTakeFirst();
  return Number(r.numDeletedRows);
}
