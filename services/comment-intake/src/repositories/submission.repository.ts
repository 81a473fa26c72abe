import { sql, type Kysely } from 'kysely';
import type { CommentStatus, CommentsSubmittedV1, Envelope } from '@parley/shared';
import type { IntakeDb } from '../db/tables';
import { idempotencyLockName } from './idempotency.repository';

type Db = Kysely<IntakeDb>;

/**
 * The group-commit write path in as few round trips as it can be: each one costs system calls and
 * wake-ups on both sides, and the batch's transaction stays open for all of them. Each statement
 * is one constant SQL text whose rows travel as one JSON parameter, so nothing is compiled per
 * batch, the text is the same whatever the batch size, and the rows are serialised once. Works
 * the same on Postgres and PGlite (embedded mode).
 *
 * The outbox rows are written here in the same statement as the comments, with the columns
 * `enqueue()` (@parley/shared outbox) would write: `id` (the envelope id), `stream`, `envelope`.
 */

export interface ThreadPlace {
  url: string | null;
  title: string | null;
  closedAt: Date | null;
  createdAt: Date;
}

export interface ParentPlacement {
  siteId: string;
  threadId: string;
  status: CommentStatus;
  rootId: string;
  depth: number;
}

export const threadKeyOf = (site: string, thread: string): string => `${site}\u0000${thread}`;

/**
 * One round trip: takes the transaction-scoped locks of the idempotency keys without waiting (a
 * name not returned is held by a request running right now, on any instance), and reads the
 * threads and the parent comments the batch refers to.
 */
export async function lockKeysAndFindPlaces(
  trx: Db,
  q: { lockNames: string[]; threads: { siteId: string; id: string }[]; parentIds: string[] },
): Promise<{ locked: Set<string>; threads: Map<string, ThreadPlace>; parents: Map<string, ParentPlacement> }> {
  const r = await sql<{ locked: string[] | null; threads: [string, string, string | null, string | null, string | null, string][] | null; parents: [string, string, string, CommentStatus, string, number][] | null }>`
    select
      (select jsonb_agg(name) from unnest(${q.lockNames}::text[]) as name
        where pg_try_advisory_xact_lock(hashtextextended(name, 0))) as locked,
      (select jsonb_agg(jsonb_build_array(t.site_id, t.id, t.url, t.title, t.closed_at, t.created_at))
        from intake.threads t
        where (t.site_id, t.id) in (select r.s, r.t from jsonb_to_recordset(${JSON.stringify(q.threads.map((t) => ({ s: t.siteId, t: t.id })))}::jsonb) as r(s text, t text))) as threads,
      (select jsonb_agg(jsonb_build_array(c.id, c.site_id, c.thread_id, c.status, c.root_id, c.depth))
        from intake.comments c
        where c.id in (select jsonb_array_elements_text(${JSON.stringify(q.parentIds)}::jsonb)::uuid)) as parents`.execute(trx);
  const row = r.rows[0];
  const threads = new Map<string, ThreadPlace>();
  for (const [site, id, url, title, closedAt, createdAt] of row?.threads ?? []) {
    threads.set(threadKeyOf(site, id), { url, title, closedAt: closedAt ? new Date(closedAt) : null, createdAt: new Date(createdAt) });
  }
  const parents = new Map<string, ParentPlacement>();
  for (const [id, siteId, threadId, status, rootId, depth] of row?.parents ?? []) parents.set(id, { siteId, threadId, status, rootId, depth });
  return { locked: new Set(row?.locked ?? []), threads, parents };
}

/**
 * A new comment as one JSON record: its `comments.submitted` envelope (the outbox row) carries
 * every public and hashed field, and the row's columns are taken from it in SQL, so each comment
 * is serialised once and its row and event cannot disagree.
 */
export interface SubmissionRecord {
  envelope: Envelope<string, CommentsSubmittedV1['payload']>;
  root_id: string;
  depth: number;
  /** AES-GCM sealed, base64. */
  email_encrypted: string | null;
  author_token_hash: string;
  /** Its Idempotency-Key, if any, with the request hash and the (sealed) answer to store under it. */
  idempotency_key: string | null;
  request_hash: string | null;
  response: unknown;
}

export interface NewThreadRecord {
  site_id: string;
  id: string;
  url: string | null;
  title: string | null;
}

/**
 * One statement, so one round trip: reads the earlier answers of the given idempotency keys and
 * writes new threads (DO NOTHING takes no lock on existing ones; rows go in key order, so two
 * batches creating the same threads wait instead of deadlocking), the comments as `pending`, their
 * outbox rows (published by the relay after commit) and the new answers, leaving out every
 * comment and answer whose key was answered before. Returns those earlier answers by lock name.
 * Call inside the batch's transaction, after its keys were locked (lockKeysAndFindPlaces): this
 * later statement then sees whatever an earlier holder of a key committed.
 */
export async function insertSubmissions(
  trx: Db,
  q: { stream: string; threads: NewThreadRecord[]; comments: SubmissionRecord[]; keys: { site_id: string; key: string }[] },
): Promise<Map<string, { requestHash: string; response: unknown }>> {
  const r = await sql<{ site_id: string; key: string; request_hash: string; response: unknown }>`
    with earlier as (
      select k.site_id, k."key", k.request_hash, k.response from intake.idempotency_keys k
      where (k.site_id, k."key") in (select r.site_id, r."key" from jsonb_to_recordset(${JSON.stringify(q.keys)}::jsonb) as r(site_id text, "key" text))
    ), new_threads as (
      insert into intake.threads (site_id, id, url, title)
      select r.site_id, r.id, r.url, r.title
      from jsonb_to_recordset(${JSON.stringify(q.threads)}::jsonb) as r(site_id text, id text, url text, title text)
      order by r.site_id collate "C", r.id collate "C"
      on conflict (site_id, id) do nothing
    ), submitted as (
      select r.*, r.envelope->'payload' as p, r.envelope->>'site' as site_id
      from jsonb_to_recordset(${JSON.stringify(q.comments)}::jsonb) as r(
        envelope jsonb, root_id uuid, depth integer, email_encrypted text, author_token_hash text,
        idempotency_key text, request_hash text, response jsonb)
      where r.idempotency_key is null
        or not exists (select 1 from earlier e where e.site_id = r.envelope->>'site' and e."key" = r.idempotency_key)
    ), new_comments as (
      insert into intake.comments (id, site_id, thread_id, parent_id, root_id, depth, status, author_name, author_website,
        email_encrypted, email_hash, email_domain, ip_hash, ip_prefix, fingerprint, author_token_hash, "text", signals,
        created_at, status_changed_at)
      select (p->>'commentId')::uuid, site_id, p->>'threadId', (p->>'parentId')::uuid, root_id, depth, 'pending',
        p->'author'->>'name', p->'author'->>'website', decode(email_encrypted, 'base64'), p->'author'->>'emailHash',
        p->'author'->>'emailDomain', p->'author'->>'ipHash', p->'author'->>'ipPrefix', p->'author'->>'fingerprint',
        author_token_hash, p->>'text', p->'signals', (p->>'submittedAt')::timestamptz, (p->>'submittedAt')::timestamptz
      from submitted
    ), new_events as (
      insert into intake.outbox (id, stream, envelope)
      select (envelope->>'id')::uuid, ${q.stream}, envelope from submitted
    ), new_answers as (
      insert into intake.idempotency_keys (site_id, "key", request_hash, status, response)
      select site_id, idempotency_key, request_hash, 202, response from submitted where idempotency_key is not null
    )
    select site_id, "key", request_hash, response from earlier`.execute(trx);
  return new Map(r.rows.map((row) => [idempotencyLockName(row.site_id, row.key), { requestHash: row.request_hash, response: row.response }]));
}
