import { sql, type Kysely } from 'kysely';
import type { CommentStatus } from '@parley/shared';
import type { CommentRow, IntakeDb } from '../db/tables';

type Db = Kysely<IntakeDb>;

export async function findCommentById(db: Db, id: string): Promise<CommentRow | undefined> {
  return db.selectFrom('intake.comments').selectAll().where('id', '=', id).executeTakeFirst();
}

/** Locks the row for the rest of the transaction: status changes apply one after another. */
export async function lockCommentById(db: Db, id: string): Promise<CommentRow | undefined> {
  return db.selectFrom('intake.comments').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
}

export async function updateCommentStatus(db: Db, id: string, status: CommentStatus, at: Date): Promise<void> {
  await db.updateTable('intake.comments').set({ status, status_changed_at: at }).where('id', '=', id).execute();
}

/** Locks the rows for the rest of the transaction, in id order (two batches never wait in a cycle). */
export async function lockCommentsByIds(db: Db, ids: readonly string[]): Promise<CommentRow[]> {
  if (ids.length === 0) return [];
  return db.selectFrom('intake.comments').selectAll().where('id', '=', sql<string>`any(${[...ids]}::uuid[])`).orderBy('id').forUpdate().execute();
}

/** Sets many comments' statuses in one statement. */
export async function updateCommentStatuses(db: Db, changes: readonly { id: string; status: CommentStatus; at: Date }[]): Promise<void> {
  if (changes.length === 0) return;
  await sql`
    update intake.comments c set status = v.status, status_changed_at = v.at
      from unnest(${changes.map((c) => c.id)}::uuid[], ${changes.map((c) => c.status)}::text[], ${changes.map((c) => c.at.toISOString())}::timestamptz[])
        as v(id, status, at)
     where c.id = v.id`.execute(db);
}

export type PublicCommentRow = Pick<CommentRow, 'id' | 'parent_id' | 'root_id' | 'depth' | 'author_name' | 'author_website' | 'text' | 'created_at'>;
const PUBLIC_COLUMNS = ['id', 'parent_id', 'root_id', 'depth', 'author_name', 'author_website', 'text', 'created_at'] as const;

/** One approved comment of the thread, as the public sees it; undefined when it is not (or no longer) approved. */
export async function findApprovedCommentById(db: Db, siteId: string, threadId: string, id: string): Promise<PublicCommentRow | undefined> {
  return db
    .selectFrom('intake.comments')
    .select(PUBLIC_COLUMNS)
    .where('id', '=', id)
    .where('site_id', '=', siteId)
    .where('thread_id', '=', threadId)
    .where('status', '=', 'approved')
    .executeTakeFirst();
}

/** One page of approved top-level comments, after the keyset cursor `(created_at, id)`. */
export async function listApprovedRoots(
  db: Db,
  q: { siteId: string; threadId: string; order: 'oldest' | 'newest'; after?: { createdAt: Date; id: string }; limit: number },
): Promise<PublicCommentRow[]> {
  const dir = q.order === 'oldest' ? 'asc' : 'desc';
  let query = db
    .selectFrom('intake.comments')
    .select(PUBLIC_COLUMNS)
    .where('site_id', '=', q.siteId)
    .where('thread_id', '=', q.threadId)
    .where('status', '=', 'approved')
    .where('parent_id', 'is', null);
  if (q.after) {
    const cmp = q.order === 'oldest' ? sql`>` : sql`<`;
    query = query.where(sql<boolean>`(created_at, id) ${cmp} (${q.after.createdAt}, ${q.after.id}::uuid)`);
  }
  return query.orderBy('created_at', dir).orderBy('id', dir).limit(q.limit).execute();
}

/** Every approved reply under the given top-level comments, oldest first. */
export async function listApprovedReplies(db: Db, rootIds: string[]): Promise<PublicCommentRow[]> {
  if (rootIds.length === 0) return [];
  return db
    .selectFrom('intake.comments')
    .select(PUBLIC_COLUMNS)
    .where('root_id', 'in', rootIds)
    .where('status', '=', 'approved')
    .where('parent_id', 'is not', null)
    .orderBy('created_at', 'asc')
    .orderBy('id', 'asc')
    .execute();
}

/** Parent links of the given comments (any status), to place replies under an approved ancestor. */
export async function findParentLinks(db: Db, ids: string[]): Promise<Map<string, string | null>> {
  if (ids.length === 0) return new Map();
  const rows = await db.selectFrom('intake.comments').select(['id', 'parent_id']).where('id', 'in', ids).execute();
  return new Map(rows.map((r) => [r.id, r.parent_id]));
}
