import { sql, type Kysely } from 'kysely';
import type { QueueItem, QueueQuery } from '@parley/shared';
import { SCHEMA, type CommentRow, type CommentState, type CommentTable, type ModerationDb, type StoredReason } from '../db/tables';

type Db = Kysely<ModerationDb>;
type NewComment = Omit<CommentTable, 'version' | 'report_count' | 'human_decided_at' | 'erased_at'> & { report_count: number };

export function commentRowToItem(row: CommentRow): QueueItem {
  return {
    id: row.id,
    site: row.site,
    threadId: row.thread_id,
    threadUrl: row.thread_url,
    parentId: row.parent_id,
    state: row.state,
    version: row.version,
    author: {
      key: row.author_key,
      name: row.author_name,
      website: row.author_website,
      emailDomain: row.author_email_domain,
      ipPrefix: row.author_ip_prefix,
    },
    text: row.text,
    reasons: row.reasons,
    reports: row.report_count,
    spamScore: row.spam_score,
    submittedAt: row.submitted_at.toISOString(),
    decidedAt: row.decided_at?.toISOString() ?? null,
  };
}

/** Inserts the comment; false when it is already known (a redelivery under another event id). */
export async function insertComment(db: Db, c: NewComment): Promise<boolean> {
  const r = await db
    .withSchema(SCHEMA)
    .insertInto('comments')
    .values({
      ...c,
      version: 1,
      signals: JSON.stringify(c.signals),
      reasons: JSON.stringify(c.reasons) as never,
      rules: JSON.stringify(c.rules) as never,
    })
    .onConflict((oc) => oc.column('id').doNothing())
    .executeTakeFirst();
  return Number(r.numInsertedOrUpdatedRows ?? 0) === 1;
}

export async function findCommentById(db: Db, site: string, id: string): Promise<CommentRow | undefined> {
  return db.withSchema(SCHEMA).selectFrom('comments').selectAll().where('id', '=', id).where('site', '=', site).executeTakeFirst();
}

/** Locks the row for the rest of the transaction: concurrent decisions on one comment go one at a time. */
export async function lockCommentById(db: Db, site: string, id: string): Promise<CommentRow | undefined> {
  return db.withSchema(SCHEMA).selectFrom('comments').selectAll().where('id', '=', id).where('site', '=', site).forUpdate().executeTakeFirst();
}

/** The comment whatever its site (the report consumer learns the site from the event). */
export async function lockCommentAnySite(db: Db, id: string): Promise<CommentRow | undefined> {
  return db.withSchema(SCHEMA).selectFrom('comments').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
}

export async function updateCommentState(
  db: Db,
  id: string,
  change: { to: CommentState; reasons?: StoredReason[]; rules?: string[]; decidedAt: Date; by: 'pipeline' | 'moderator' },
): Promise<CommentRow> {
  return db
    .withSchema(SCHEMA)
    .updateTable('comments')
    .set((eb) => ({
      state: change.to,
      version: eb('version', '+', 1),
      decided_at: change.decidedAt,
      decided_by: change.by,
      ...(change.by === 'moderator' ? { human_decided_at: sql<Date>`coalesce(human_decided_at, ${change.decidedAt})` } : {}),
      ...(change.reasons ? { reasons: JSON.stringify(change.reasons) as never } : {}),
      ...(change.rules ? { rules: sql`(select coalesce(jsonb_agg(distinct r), '[]'::jsonb) from jsonb_array_elements_text(rules || ${JSON.stringify(change.rules)}::jsonb) r)` as never } : {}),
    }))
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function setTrainedAs(db: Db, id: string, label: 'spam' | 'ham'): Promise<void> {
  await db.withSchema(SCHEMA).updateTable('comments').set({ trained_as: label }).where('id', '=', id).execute();
}

export async function setReportCount(db: Db, id: string, count: number): Promise<void> {
  await db.withSchema(SCHEMA).updateTable('comments').set({ report_count: count }).where('id', '=', id).execute();
}

/** The author's recent comment with the same normalised text, if any. */
export async function findRecentDuplicate(db: Db, c: { site: string; id: string; authorKey: string; textHash: string; since: Date }): Promise<string | undefined> {
  const row = await db
    .withSchema(SCHEMA)
    .selectFrom('comments')
    .select('id')
    .where('site', '=', c.site)
    .where('author_key', '=', c.authorKey)
    .where('text_hash', '=', c.textHash)
    .where('submitted_at', '>=', c.since)
    .where('id', '!=', c.id)
    .limit(1)
    .executeTakeFirst();
  return row?.id;
}

interface Cursor {
  at: string;
  id: string;
}
export const encodeCursor = (c: Cursor): string => Buffer.from(JSON.stringify(c)).toString('base64url');
export function decodeCursor(s: string): Cursor | undefined {
  try {
    const v = JSON.parse(Buffer.from(s, 'base64url').toString('utf8')) as Cursor;
    return typeof v.at === 'string' && typeof v.id === 'string' && !Number.isNaN(Date.parse(v.at)) && /^[0-9a-f-]{36}$/.test(v.id) ? v : undefined;
  } catch {
    return undefined;
  }
}

/** One page of the queue, keyset-paginated on (submitted_at, id); one row more than asked tells whether a next page exists. */
export async function listQueue(db: Db, site: string, q: QueueQuery, cursor: Cursor | undefined): Promise<CommentRow[]> {
  let query = db.withSchema(SCHEMA).selectFrom('comments').selectAll().where('site', '=', site);
  if (q.state === 'reported') query = query.where('report_count', '>', 0).where('state', 'in', ['approved', 'held']);
  else query = query.where('state', '=', q.state);
  if (q.thread) query = query.where('thread_id', '=', q.thread);
  if (q.author) query = query.where('author_key', '=', q.author);
  if (q.rule) query = query.where(sql<boolean>`rules @> ${JSON.stringify([q.rule])}::jsonb`);
  if (q.from) query = query.where('submitted_at', '>=', new Date(q.from));
  if (q.to) query = query.where('submitted_at', '<', new Date(q.to));
  const desc = q.order === 'newest';
  if (cursor) {
    const at = new Date(cursor.at);
    query = query.where((eb) =>
      desc
        ? eb.or([eb('submitted_at', '<', at), eb.and([eb('submitted_at', '=', at), eb('id', '<', cursor.id)])])
        : eb.or([eb('submitted_at', '>', at), eb.and([eb('submitted_at', '=', at), eb('id', '>', cursor.id)])]),
    );
  }
  return query
    .orderBy('submitted_at', desc ? 'desc' : 'asc')
    .orderBy('id', desc ? 'desc' : 'asc')
    .limit(q.limit + 1)
    .execute();
}

export async function countByState(db: Db, site: string): Promise<Record<string, number>> {
  const rows = await db
    .withSchema(SCHEMA)
    .selectFrom('comments')
    .select(['state', sql<number>`count(*)::int`.as('n')])
    .where('site', '=', site)
    .groupBy('state')
    .execute();
  const reported = await db
    .withSchema(SCHEMA)
    .selectFrom('comments')
    .select(sql<number>`count(*)::int`.as('n'))
    .where('site', '=', site)
    .where('report_count', '>', 0)
    .where('state', 'in', ['approved', 'held'])
    .executeTakeFirstOrThrow();
  const counts: Record<string, number> = { held: 0, reported: reported.n, pending: 0, spam: 0, approved: 0, rejected: 0, removed: 0 };
  for (const r of rows) if (r.state in counts) counts[r.state] = r.n;
  return counts;
}

export async function listAuthorComments(db: Db, site: string, authorKey: string, limit = 100): Promise<CommentRow[]> {
  return db
    .withSchema(SCHEMA)
    .selectFrom('comments')
    .selectAll()
    .where('site', '=', site)
    .where('author_key', '=', authorKey)
    .orderBy('submitted_at', 'desc')
    .orderBy('id', 'desc')
    .limit(limit)
    .execute();
}

/** The author's comments still waiting for a decision, locked (a ban may reject them). */
export async function lockWaitingByAuthor(db: Db, site: string, authorKey: string): Promise<CommentRow[]> {
  return db
    .withSchema(SCHEMA)
    .selectFrom('comments')
    .selectAll()
    .where('site', '=', site)
    .where('author_key', '=', authorKey)
    .where('state', 'in', ['held', 'pending'])
    .orderBy('id')
    .forUpdate()
    .execute();
}
