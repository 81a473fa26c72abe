import { sql, type Kysely } from 'kysely';
import type { IntakeDb, ThreadRow } from '../db/tables';

type Db = Kysely<IntakeDb>;

/** Creates the thread on its first comment; a later comment fills in a missing URL or title. */
export async function upsertThread(db: Db, t: { siteId: string; id: string; url: string | null; title: string | null }): Promise<ThreadRow> {
  return db
    .insertInto('intake.threads')
    .values({ site_id: t.siteId, id: t.id, url: t.url, title: t.title })
    .onConflict((oc) =>
      oc.columns(['site_id', 'id']).doUpdateSet({
        url: sql`coalesce(intake.threads.url, excluded.url)`,
        title: sql`coalesce(intake.threads.title, excluded.title)`,
      }),
    )
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function findThreadById(db: Db, siteId: string, id: string): Promise<ThreadRow | undefined> {
  return db.selectFrom('intake.threads').selectAll().where('site_id', '=', siteId).where('id', '=', id).executeTakeFirst();
}

/** The version (ETag basis) of each thread; absent threads are left out. */
export async function findThreadVersions(db: Db, siteId: string, ids: string[]): Promise<Map<string, { version: string; approved: number }>> {
  if (ids.length === 0) return new Map();
  const rows = await db
    .selectFrom('intake.threads')
    .select(['id', 'version', 'approved_count'])
    .where('site_id', '=', siteId)
    .where('id', 'in', ids)
    .execute();
  return new Map(rows.map((r) => [r.id, { version: String(r.version), approved: r.approved_count }]));
}

/** Something readers see changed: a new version (new ETag), and the approved count moved by `delta`. */
export async function bumpThread(db: Db, siteId: string, id: string, approvedDelta: number): Promise<void> {
  await db
    .updateTable('intake.threads')
    .set({ version: sql`version + 1`, approved_count: sql`greatest(approved_count + ${approvedDelta}, 0)` })
    .where('site_id', '=', siteId)
    .where('id', '=', id)
    .execute();
}
