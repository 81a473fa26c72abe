import { sql, type Kysely } from 'kysely';
import type { IntakeDb, ThreadRow } from '../db/tables';

type Db = Kysely<IntakeDb>;

export interface ThreadRef {
  siteId: string;
  id: string;
  url: string | null;
  title: string | null;
}

/**
 * Creates threads on their first comment. DO NOTHING takes no lock on an existing thread, so
 * busy threads do not serialise the batches that write to them; rows go in key order, so two
 * batches creating the same new threads wait for each other instead of deadlocking.
 */
export async function insertThreads(db: Db, threads: ThreadRef[]): Promise<void> {
  if (threads.length === 0) return;
  const sorted = [...threads].sort((a, b) => compareKeys(a, b));
  await db
    .insertInto('intake.threads')
    .values(sorted.map((t) => ({ site_id: t.siteId, id: t.id, url: t.url, title: t.title })))
    .onConflict((oc) => oc.columns(['site_id', 'id']).doNothing())
    .execute();
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

/** The given threads of one or more sites, keyed `site\u0000thread`. */
export async function findThreads(db: Db, refs: { siteId: string; id: string }[]): Promise<Map<string, ThreadRow>> {
  if (refs.length === 0) return new Map();
  const rows = await db
    .selectFrom('intake.threads')
    .selectAll()
    .where((eb) => eb(eb.refTuple('site_id', 'id'), 'in', refs.map((r) => eb.tuple(r.siteId, r.id))))
    .execute();
  return new Map(rows.map((r) => [`${r.site_id}\u0000${r.id}`, r]));
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
