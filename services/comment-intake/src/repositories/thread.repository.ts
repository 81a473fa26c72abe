import { sql, type Kysely } from 'kysely';
import type { IntakeDb, ThreadRow } from '../db/tables';

type Db = Kysely<IntakeDb>;

export interface ThreadRef {
  siteId: string;
  id: string;
  url: string | null;
  title: string | null;
}

export function compareKeys(a: { siteId: string; id: string }, b: { siteId: string; id: string }): number {
  if (a.siteId !== b.siteId) return a.siteId < b.siteId ? -1 : 1;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/** A later comment fills in a URL or title the thread was created without. */
export async function fillThreadPage(db: Db, t: ThreadRef): Promise<void> {
  await db
    .updateTable('intake.threads')
    .set({ url: sql`coalesce(url, ${t.url})`, title: sql`coalesce(title, ${t.title})` })
    .where('site_id', '=', t.siteId)
    .where('id', '=', t.id)
    .execute();
}

export async function findThreadById(db: Db, siteId: string, id: string): Promise<ThreadRow | undefined> {
  return db.selectFrom('intake.threads').selectAll().where('site_id', '=', siteId).where('id', '=', id).executeTakeFirst();
}

/** The version (ETag basis), approved count and open/closed state of each thread; absent threads are left out. */
export async function findThreadVersions(
  db: Db,
  siteId: string,
  ids: string[],
): Promise<Map<string, { version: string; approved: number; closedAt: Date | null; createdAt: Date }>> {
  if (ids.length === 0) return new Map();
  const rows = await db
    .selectFrom('intake.threads')
    .select(['id', 'version', 'approved_count', 'closed_at', 'created_at'])
    .where('site_id', '=', siteId)
    .where('id', 'in', ids)
    .execute();
  return new Map(rows.map((r) => [r.id, { version: String(r.version), approved: r.approved_count, closedAt: r.closed_at, createdAt: r.created_at }]));
}

/**
 * A moderator's close (`closedAt`) or reopen (null) as of `changedAt`, applied only if it is newer
 * than the state held (a redelivered older event changes nothing). Creates the thread when intake
 * has not seen it yet; a change bumps the version, so cached pages and ETags move on.
 * Returns whether anything changed.
 */
export async function updateThreadClosed(db: Db, siteId: string, id: string, closedAt: Date | null, changedAt: Date): Promise<boolean> {
  const row = await db
    .insertInto('intake.threads')
    .values({ site_id: siteId, id, closed_at: closedAt, closed_changed_at: changedAt })
    .onConflict((oc) =>
      oc
        .columns(['site_id', 'id'])
        .doUpdateSet({ closed_at: closedAt, closed_changed_at: changedAt, version: sql`intake.threads.version + 1` })
        .where(sql<boolean>`intake.threads.closed_changed_at is null or intake.threads.closed_changed_at < ${changedAt}`),
    )
    .returning('id')
    .executeTakeFirst();
  return row !== undefined;
}

/** `bumpThread` for many threads in one statement, each with its net change of approved comments. */
export async function bumpThreads(db: Db, bumps: readonly { siteId: string; id: string; approvedDelta: number }[]): Promise<void> {
  if (bumps.length === 0) return;
  await sql`
    update intake.threads t set version = t.version + 1, approved_count = greatest(t.approved_count + v.delta, 0)
      from unnest(${bumps.map((b) => b.siteId)}::text[], ${bumps.map((b) => b.id)}::text[], ${bumps.map((b) => b.approvedDelta)}::int[])
        as v(site_id, id, delta)
     where t.site_id = v.site_id and t.id = v.id`.execute(db);
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
