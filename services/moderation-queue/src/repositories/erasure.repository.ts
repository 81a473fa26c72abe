import { sql, type Kysely } from 'kysely';
import { NIL_UUID } from '@parley/shared';
import { ERASED_AUTHOR_KEY, SCHEMA, SPAM_DOCS_TOKEN, type CommentRow, type CommentState, type ModerationDb, type StoredReason } from '../db/tables';

type Db = Kysely<ModerationDb>;

/**
 * Holds back every other write to comments (and `select … for update`) until the caller's
 * transaction ends; plain reads go on. Waits first for the writes already under way, so the
 * statements that follow see every comment stored so far, and a comment stored after this commits
 * sees the erasure's rows in `erased_comments`. Without it a submitted comment being stored at the
 * same moment could miss both. Erasures are rare and short: the pipeline waits a few milliseconds.
 */
export async function lockCommentWrites(db: Db): Promise<void> {
  await sql`lock table ${sql.table(`${SCHEMA}.comments`)} in exclusive mode`.execute(db);
}

/**
 * Locks, in id order, the site's comments a privacy request covers and not yet erased: those named
 * by id, and those written with `emailHash` (their author key is that hash: the author index finds
 * them) no later than the request, so a comment written since is not taken for an old one.
 */
export async function lockCommentsForErasure(
  db: Db,
  site: string,
  by: { ids: readonly string[]; emailHash: string | null; submittedUntil: Date },
): Promise<CommentRow[]> {
  const { ids, emailHash } = by;
  return db
    .withSchema(SCHEMA)
    .selectFrom('comments as c')
    .selectAll('c')
    .where('c.site', '=', site)
    .where((eb) =>
      eb.or([
        ...(ids.length === 0 ? [] : [eb('c.id', '=', sql<string>`any(${[...ids]}::uuid[])`)]),
        ...(emailHash === null
          ? []
          : [eb.and([eb('c.author_key', '=', emailHash), eb('c.author_email_hash', '=', emailHash), eb('c.submitted_at', '<=', by.submittedUntil)])]),
        eb.val(false),
      ]),
    )
    .where(({ not, exists, selectFrom }) =>
      not(exists(selectFrom('erased_comments as e').select('e.comment_id').whereRef('e.comment_id', '=', 'c.id').whereRef('e.site', '=', 'c.site'))),
    )
    .orderBy('c.id')
    .forUpdate()
    .execute();
}

/**
 * What moderation remembers of the erased comments' authors (the `authors` row: trusted, approved
 * count). Call after eraseCommentRows. A request naming the person's email forgets their row on
 * the site, whoever marked them trusted, unless they wrote on the site after the request (the only
 * comments still under their key then): a later comment starts as a first-time author. Every
 * erased approved comment takes back its count; an author who erased one comment keeps their trust.
 */
export async function forgetErasedAuthors(db: Db, site: string, by: { emailHash: string | null; approvedByKey: ReadonlyMap<string, number> }): Promise<void> {
  if (by.emailHash !== null) {
    await sql`
      delete from ${sql.table(`${SCHEMA}.authors`)} a
       where a.site = ${site} and a.author_key = ${by.emailHash}
         and not exists (select 1 from ${sql.table(`${SCHEMA}.comments`)} c where c.site = a.site and c.author_key = a.author_key)`.execute(db);
  }
  if (by.approvedByKey.size === 0) return;
  await sql`
    update ${sql.table(`${SCHEMA}.authors`)} a
       set approved_count = greatest(0, a.approved_count - x.n), updated_at = now()
      from unnest(${[...by.approvedByKey.keys()]}::text[], ${[...by.approvedByKey.values()]}::int[]) as x(author_key, n)
     where a.site = ${site} and a.author_key = x.author_key`.execute(db);
}

/** The states of comments no reader sees, now or any more: retention erases them (DESIGN §7). */
export const UNPUBLISHED_STATES = ['spam', 'rejected', 'removed', 'deleted'] as const satisfies readonly CommentState[];

/**
 * Locks, oldest first, up to `limit` comments retention must erase now: unpublished, not erased
 * yet, and with no status change since `before`. The time of their last status change is
 * `decided_at` (every decision and verdict sets it; `submitted_at` if none ever did), or a later
 * entry of their history that changed it: an author's deletion keeps the decision's time in
 * `decided_at`, and its window starts when it was deleted. `comments_retention_idx` finds the
 * candidates; the history check is one index probe per candidate. Rows another transaction holds
 * (a moderator deciding at this moment) are skipped: the next run finds them if still due.
 */
export async function lockUnpublishedUnchangedSince(db: Db, before: Date, limit: number): Promise<Pick<CommentRow, 'id' | 'site' | 'thread_id' | 'state'>[]> {
  const changedAt = sql<Date>`coalesce(c.decided_at, c.submitted_at)`;
  return db
    .withSchema(SCHEMA)
    .selectFrom('comments as c')
    .select(['c.id', 'c.site', 'c.thread_id', 'c.state'])
    .where('c.erased_at', 'is', null)
    .where('c.state', 'in', UNPUBLISHED_STATES)
    .where(changedAt, '<', before)
    .where(({ not, exists, selectFrom }) =>
      not(
        exists(
          selectFrom('comment_events as e')
            .select('e.id')
            .whereRef('e.comment_id', '=', 'c.id')
            .where('e.to_state', 'is not', null)
            .where('e.at', '>=', before),
        ),
      ),
    )
    .orderBy(changedAt)
    .limit(limit)
    .forUpdate()
    .skipLocked()
    .execute();
}

/**
 * Clears the network data (IP hash, IP prefix, fingerprint: '' as an erasure leaves them, the
 * columns are NOT NULL) of up to `limit` comments whose ids lie after `after` (from the first when
 * undefined) and before `before`, in id order, and that still have some; returns the ids cleared,
 * in order. One statement, so one short transaction. Ids are UUIDv7, so the range is a time range
 * the primary key serves: no index that every new comment enters. A row a moderator holds is
 * waited for, not skipped: a skipped row would lie behind the caller's cursor.
 *
 * An author without an email is keyed by their fingerprint (authorKeyOf), so such a comment's
 * author key becomes ERASED_AUTHOR_KEY too, and the author's `authors` row (trust, approvals),
 * keyed by the same fingerprint, goes once no other comment carries that key. Nothing else of the
 * row changes (not even `version`); for authors with an email no indexed column changes, so the
 * update can stay HOT.
 */
export async function clearNetworkDataBetween(db: Db, range: { after: string | undefined; before: string }, limit: number): Promise<string[]> {
  const { after, before } = range;
  const comments = sql.table(`${SCHEMA}.comments`);
  const { rows } = await sql<{ id: string }>`
    with due as (
      select c.id, c.site, c.author_key,
             (c.author_email_hash is null and c.author_key = c.author_fingerprint and c.author_fingerprint <> '') as keyed_by_network
        from ${comments} c
       where c.id > ${after ?? NIL_UUID}::uuid and c.id < ${before}::uuid
         and (c.author_ip_hash <> '' or c.author_ip_prefix <> '' or c.author_fingerprint <> '')
       order by c.id
       limit ${limit}
         for update
    ), cleared as (
      update ${comments} c
         set author_ip_hash = '', author_ip_prefix = '', author_fingerprint = '',
             author_key = case when due.keyed_by_network then ${ERASED_AUTHOR_KEY} else c.author_key end
        from due
       where c.id = due.id
      returning c.id
    ), forgotten as (
      -- This statement sees the comments as they were: those it clears do not count as keeping the key.
      delete from ${sql.table(`${SCHEMA}.authors`)} a
       using (select distinct site, author_key from due where keyed_by_network) k
       where a.site = k.site and a.author_key = k.author_key
         and not exists (select 1 from ${comments} o where o.site = k.site and o.author_key = k.author_key and o.id not in (select id from due))
    )
    select id from cleared`.execute(db);
  // Canonical lowercase uuids: as strings they sort as Postgres sorts them.
  return rows.map((r) => r.id).sort();
}

/**
 * A reporter's fingerprint once retention cleared it: `cleared:` and the report's id. No fingerprint
 * (a hex HMAC) takes that form, and each is unique, as the once-per-reader constraint needs.
 */
export const CLEARED_FINGERPRINT_PREFIX = 'cleared:';

/**
 * Clears the reporter fingerprint of up to `limit` reports whose ids (intake's UUIDv7, made when the
 * report was) lie after `after` (from the first when undefined) and before `before`, in id order;
 * returns the ids cleared. Reason, note and counts stay.
 */
export async function clearReporterFingerprintsBetween(db: Db, range: { after: string | undefined; before: string }, limit: number): Promise<string[]> {
  const { after, before } = range;
  const r = await sql<{ id: string }>`
    with due as (
      select id from ${sql.table(`${SCHEMA}.reports`)}
       where id > ${after ?? NIL_UUID}::uuid and id < ${before}::uuid
         and reporter_fingerprint not like ${CLEARED_FINGERPRINT_PREFIX + '%'}
       order by id
       limit ${limit}
         for update
    )
    update ${sql.table(`${SCHEMA}.reports`)} r set reporter_fingerprint = ${CLEARED_FINGERPRINT_PREFIX} || r.id
      from due where r.id = due.id
    returning r.id`.execute(db);
  return r.rows.map((row) => row.id).sort();
}

/** Records the comments as erased (those already recorded stay as they are). */
export async function insertErasedComments(db: Db, site: string, ids: readonly string[], requestId: string, at: Date): Promise<void> {
  if (ids.length === 0) return;
  await db
    .withSchema(SCHEMA)
    .insertInto('erased_comments')
    .values([...ids].sort().map((id) => ({ comment_id: id, site, request_id: requestId, erased_at: at })))
    .onConflict((oc) => oc.columns(['comment_id', 'site']).doNothing())
    .execute();
}

/**
 * Leaves the comments with nothing of their author or text: the name, IP prefix and text empty
 * (the columns are NOT NULL), the website, email domain and email hash null, the IP hash,
 * fingerprint and text hash (the duplicate check's key, a plain hash of the text) empty, and the
 * author key the no-one key; `erased_at` says when. `reason` becomes their only reason; codes of
 * rules that fired stay. `state`: `deleted` (a privacy request) or `kept` (retention: spam stays
 * spam, so counts and statistics stay right). Decision times and who decided are kept either way.
 */
export async function eraseCommentRows(db: Db, ids: readonly string[], reason: StoredReason, at: Date, state: 'deleted' | 'kept'): Promise<void> {
  if (ids.length === 0) return;
  await db
    .withSchema(SCHEMA)
    .updateTable('comments')
    .set((eb) => ({
      ...(state === 'deleted' ? { state: 'deleted' as const } : {}),
      erased_at: at,
      version: eb('version', '+', 1),
      author_key: ERASED_AUTHOR_KEY,
      author_name: '',
      author_website: null,
      author_email_domain: null,
      author_email_hash: null,
      author_ip_hash: '',
      author_ip_prefix: '',
      author_fingerprint: '',
      text: '',
      text_hash: '',
      trained_as: null,
      reasons: JSON.stringify([reason]) as never,
      rules: sql`(select coalesce(jsonb_agg(distinct r), '[]'::jsonb) from jsonb_array_elements_text(rules || ${JSON.stringify([reason.code])}::jsonb) r)` as never,
    }))
    .where('id', '=', sql<string>`any(${[...ids]}::uuid[])`)
    .execute();
}

/**
 * The comments' history keeps its codes, states, actors and times; the free text goes (rule details
 * quote words of the comment or its author's name, reports and notes may quote the comment), also
 * the reason in the audit entry of each moderator decision on them.
 */
export async function scrubCommentHistory(db: Db, ids: readonly string[]): Promise<void> {
  if (ids.length === 0) return;
  await db
    .withSchema(SCHEMA)
    .updateTable('comment_events')
    .set({
      reasons: sql`(select coalesce(jsonb_agg(jsonb_build_object('code', r->>'code', 'detail', '') order by n), '[]'::jsonb)
                      from jsonb_array_elements(reasons) with ordinality as x(r, n))` as never,
      note: null,
    })
    .where('comment_id', '=', sql<string>`any(${[...ids]}::uuid[])`)
    .execute();
  await db
    .withSchema(SCHEMA)
    .updateTable('reports')
    .set({ note: null })
    .where('comment_id', '=', sql<string>`any(${[...ids]}::uuid[])`)
    .execute();
  // The moderators' reasons, also kept in their decisions' audit entries (audit_log_comment_reason_idx).
  await sql`
    update ${sql.table(`${SCHEMA}.audit_log`)} a set after = jsonb_set(a.after, '{reason}', 'null')
     where a.target = any(${[...ids]}::text[]) and a.action like 'comment.%' and (a.after->>'reason') is not null`.execute(db);
}

/**
 * Drops the site's webhook deliveries about these comments that have not gone out yet, so none
 * leaves with what the comment was. A call already under way (claimed before) still completes.
 * Returns how many were dropped.
 */
export async function deletePendingWebhookDeliveries(db: Db, site: string, ids: readonly string[]): Promise<number> {
  if (ids.length === 0) return 0;
  const r = await db
    .withSchema(SCHEMA)
    .deleteFrom('webhook_deliveries')
    .where('site', '=', site)
    .where('delivered_at', 'is', null)
    .where('failed_at', 'is', null)
    .where(sql<string>`(body::jsonb #>> '{comment,id}')`, '=', sql<string>`any(${[...ids]}::text[])`)
    .executeTakeFirst();
  return Number(r.numDeletedRows);
}

/** Deletes the site's learnt tokens among `tokens` that no document counts any more (the totals row stays). */
export async function deleteUnusedTokens(db: Db, site: string, tokens: readonly string[]): Promise<void> {
  const names = tokens.filter((t) => t !== SPAM_DOCS_TOKEN);
  if (names.length === 0) return;
  await db
    .withSchema(SCHEMA)
    .deleteFrom('spam_tokens')
    .where('site', '=', site)
    .where('token', '=', sql<string>`any(${names}::text[])`)
    .where('spam', '=', 0)
    .where('ham', '=', 0)
    .execute();
}

/** Whether the comment was erased by a privacy request (possibly before moderation had it). */
export async function isCommentErased(db: Db, site: string, id: string): Promise<boolean> {
  const row = await db.withSchema(SCHEMA).selectFrom('erased_comments').select('comment_id').where('comment_id', '=', id).where('site', '=', site).executeTakeFirst();
  return row !== undefined;
}
