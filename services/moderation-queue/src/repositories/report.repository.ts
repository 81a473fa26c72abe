import { sql, type Kysely } from 'kysely';
import { SCHEMA, type ModerationDb, type ReportTable } from '../db/tables';

type Db = Kysely<ModerationDb>;

/** Stores a report; false when this reader already reported this comment (or the report is known). */
export async function insertReport(db: Db, r: ReportTable): Promise<boolean> {
  const res = await db.withSchema(SCHEMA).insertInto('reports').values(r).onConflict((oc) => oc.doNothing()).executeTakeFirst();
  return Number(res.numInsertedOrUpdatedRows ?? 0) === 1;
}

export async function countReports(db: Db, commentId: string): Promise<number> {
  const r = await db
    .withSchema(SCHEMA)
    .selectFrom('reports')
    .select(sql<number>`count(*)::int`.as('n'))
    .where('comment_id', '=', commentId)
    .executeTakeFirstOrThrow();
  return r.n;
}
