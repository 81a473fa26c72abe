import type { Kysely } from 'kysely';
import type { IntakeDb } from '../db/tables';

/** Inserts a report; false when this reader has reported this comment already. */
export async function insertReport(
  db: Kysely<IntakeDb>,
  r: { id: string; commentId: string; fingerprint: string; reason: string; note: string | null },
): Promise<boolean> {
  const inserted = await db
    .insertInto('intake.reports')
    .values({ id: r.id, comment_id: r.commentId, fingerprint: r.fingerprint, reason: r.reason, note: r.note })
    .onConflict((oc) => oc.columns(['comment_id', 'fingerprint']).doNothing())
    .returning('id')
    .executeTakeFirst();
  return inserted !== undefined;
}
