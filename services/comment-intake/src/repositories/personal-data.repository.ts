import { sql, type Kysely } from 'kysely';
import type { CommentRow, IntakeDb } from '../db/tables';

type Db = Kysely<IntakeDb>;

/** The site's comments written with this email (keyed hash), erased ones left out. */
function byEmailHash(db: Db, siteId: string, emailHash: string) {
  return db.selectFrom('intake.comments').selectAll().where('email_hash', '=', emailHash).where('site_id', '=', siteId).where('erased_at', 'is', null);
}

/** The person's comments on the site, oldest first (an export). */
export async function findCommentsByEmailHash(db: Db, siteId: string, emailHash: string, limit: number): Promise<CommentRow[]> {
  return byEmailHash(db, siteId, emailHash).orderBy('created_at').orderBy('id').limit(limit).execute();
}

/** The person's comments on the site, locked in id order (an erasure). */
export async function lockCommentsByEmailHash(db: Db, siteId: string, emailHash: string): Promise<CommentRow[]> {
  return byEmailHash(db, siteId, emailHash).orderBy('id').forUpdate().execute();
}

/**
 * Makes the comments tombstones without personal data: `deleted` ones (a privacy request), or with
 * their status kept (retention, for comments that are not public anyway). The author token's hash
 * stays: it is a hash of a random value, and it lets the author still see that their comment is gone.
 * Readers' notes on reports about them go too (they may quote the comment); the reasons stay.
 */
export async function eraseCommentRows(db: Db, ids: readonly string[], at: Date, status: 'deleted' | 'kept' = 'deleted'): Promise<void> {
  if (ids.length === 0) return;
  const newStatus = status === 'deleted' ? sql`status = 'deleted', status_changed_at = ${at},` : sql``;
  await sql`
    with erased as (
      update intake.comments
         set ${newStatus} erased_at = ${at},
             author_name = '', author_website = null, email_encrypted = null, email_hash = null, email_domain = null,
             ip_hash = '', ip_prefix = '', fingerprint = '', text = ''
       where id = any(${[...ids]}::uuid[])
    )
    update intake.reports set note = null where comment_id = any(${[...ids]}::uuid[]) and note is not null`.execute(db);
}

/** Statuses of comments readers do not see, now or any more. */
export const UNPUBLISHED_STATUSES = ['spam', 'rejected', 'removed', 'deleted'] as const;

/**
 * Locks up to `limit` unpublished comments, not yet erased, whose status last changed before
 * `before` (oldest first; rows another run holds are skipped).
 */
export async function lockUnpublishedBefore(db: Db, before: Date, limit: number): Promise<string[]> {
  const rows = await db
    .selectFrom('intake.comments')
    .select('id')
    .where('erased_at', 'is', null)
    .where('status', 'in', UNPUBLISHED_STATUSES)
    .where('status_changed_at', '<', before)
    .orderBy('status_changed_at')
    .limit(limit)
    .forUpdate()
    .skipLocked()
    .execute();
  return rows.map((r) => r.id);
}

/**
 * Clears the IP hash, network prefix and reader fingerprint of up to `limit` comments whose ids lie
 * strictly between `after` and `before`, in id order; returns the ids cleared. Ids are UUIDv7, so an
 * id range is a time range served by the primary key: no index that every new comment would enter.
 */
export async function clearNetworkDataBetween(db: Db, after: string, before: string, limit: number): Promise<string[]> {
  const r = await sql<{ id: string }>`
    with due as (
      select id from intake.comments
       where id > ${after}::uuid and id < ${before}::uuid and ip_hash <> ''
       order by id
       limit ${limit}
         for update
    )
    update intake.comments c set ip_hash = '', ip_prefix = '', fingerprint = ''
      from due where c.id = due.id
    returning c.id`.execute(db);
  return r.rows.map((row) => row.id).sort();
}

/**
 * A reader's fingerprint once retention cleared it: `cleared:` and the report's own id. No reader's
 * fingerprint (a hex HMAC) takes that form, and each is unique, as the once-per-reader constraint
 * on (comment, fingerprint) needs; the same reader may report that comment again.
 */
export const CLEARED_FINGERPRINT_PREFIX = 'cleared:';

/**
 * Clears the reader fingerprint of up to `limit` reports whose ids (UUIDv7, made when the report was
 * made) lie strictly between `after` and `before`, in id order; returns the ids cleared. Reason and
 * note stay: they are what moderators read.
 */
export async function clearReportFingerprintsBetween(db: Db, after: string, before: string, limit: number): Promise<string[]> {
  const r = await sql<{ id: string }>`
    with due as (
      select id from intake.reports
       where id > ${after}::uuid and id < ${before}::uuid and fingerprint not like ${CLEARED_FINGERPRINT_PREFIX + '%'}
       order by id
       limit ${limit}
         for update
    )
    update intake.reports r set fingerprint = ${CLEARED_FINGERPRINT_PREFIX} || r.id
      from due where r.id = due.id
    returning r.id`.execute(db);
  return r.rows.map((row) => row.id).sort();
}
