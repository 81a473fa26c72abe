import type { Kysely } from 'kysely';
import type { IntakeDb } from '../db/tables';

type Db = Kysely<IntakeDb>;

/** The name of a key's transaction-scoped advisory lock (taken without waiting: submission.repository). */
export const idempotencyLockName = (siteId: string, key: string): string => `intake.idem:${siteId}:${key}`;

/** Forgets keys older than `before`; returns how many. */
export async function deleteIdempotencyKeysBefore(db: Db, before: Date): Promise<number> {
  const r = await db.deleteFrom('intake.idempotency_keys').where('created_at', '<', before).executeTakeFirst();
  return Number(r.numDeletedRows);
}
