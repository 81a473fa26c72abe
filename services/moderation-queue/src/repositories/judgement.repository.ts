import { sql, type Kysely } from 'kysely';
import type { Envelope, SiteSettings } from '@parley/shared';
import { SCHEMA, SPAM_DOCS_TOKEN, type BanRow, type CommentState, type CommentTable, type ModerationDb, type PolicyRow, type StoredReason } from '../db/tables';
import { defaultPolicy } from './policy.repository';
import type { TokenCounts } from './spam-token.repository';

type Db = Kysely<ModerationDb>;
const t = (name: string) => sql.table(`${SCHEMA}.${name}`);

/** What the pipeline reads about one site, once per batch. */
export interface SiteJudgementContext {
  status: 'active' | 'closed' | 'deleted';
  settings: SiteSettings;
  /** Its own row, or the defaults. */
  policy: PolicyRow;
  /** The site's learnt counts of the batch's tokens, with SPAM_DOCS_TOKEN holding its totals. */
  tokens: Map<string, TokenCounts>;
  /** The events its active webhooks want (no body is built for the others). */
  webhookEvents: ReadonlySet<string>;
}

/** One comment of a batch, as the per-comment reads need it. */
export interface CommentLookup {
  site: string;
  commentId: string;
  threadId: string;
  submittedAt: Date;
  authorKey: string;
  emailHash: string | null;
  ipHash: string;
  fingerprint: string;
  textHash: string;
}

/** What the pipeline reads about one comment, as stored before the batch. */
export interface CommentJudgementContext {
  /** Already stored (the same comment under another event id), or erased by a privacy request before it came: nothing to decide. */
  known: boolean;
  /** Undefined for a thread not seen before. */
  thread: { firstSeenAt: Date; closedAt: Date | null } | undefined;
  ban: Pick<BanRow, 'author_key' | 'email_hash' | 'ip_hash' | 'reason' | 'expires_at'> | undefined;
  /** The author's most recent stored comment with the same text within the site's window. */
  duplicateOf: { id: string; submittedAt: Date } | undefined;
  trusted: boolean;
  reportCount: number;
}

/** Everything the pipeline reads for a batch. */
export interface BatchJudgementContext {
  /** The batch's sites; a site moderation never had is absent. */
  sites: Map<string, SiteJudgementContext>;
  /** Per comment, in the batch's order. */
  comments: CommentJudgementContext[];
}

/**
 * One read-only statement for the whole batch: its sites (status, settings, policy, the learnt
 * counts of the batch's `tokens`, the events their webhooks want), and, in the batch's order, per
 * comment its thread, the newest active ban, the most recent duplicate within the site's window,
 * the author's trust, early reports and whether it is stored already.
 * Under load each round trip to Postgres costs more than the queries themselves.
 */
export async function loadJudgementContext(db: Db, comments: readonly CommentLookup[], tokens: readonly string[], now: Date): Promise<BatchJudgementContext> {
  if (comments.length === 0) return { sites: new Map(), comments: [] };
  const col = <T>(f: (c: CommentLookup) => T) => comments.map(f);
  const seenSites = new Set<string>();
  // Each site's settings travel once, on its first comment's row.
  const firstOfSite = col((c) => {
    if (seenSites.has(c.site)) return false;
    seenSites.add(c.site);
    return true;
  });
  const r = await sql<{
    ord: number;
    site: { status: 'active' | 'closed' | 'deleted'; settings: SiteSettings; policy: Record<string, unknown> | null; tokens: Record<string, [number, number]>; webhook_events: string[] } | null;
    first_seen_at: Date | null;
    closed_at: Date | null;
    ban: { author_key: string; email_hash: string | null; ip_hash: string | null; reason: string; expires_at: string | null } | null;
    duplicate_of: { id: string; submitted_at: string } | null;
    trusted: boolean | null;
    report_count: number;
    known: boolean;
  }>`
    with input as (
      select * from unnest(
        ${comments.map((_, i) => i)}::int[], ${col((c) => c.site)}::text[], ${col((c) => c.commentId)}::uuid[],
        ${col((c) => c.threadId)}::text[], ${col((c) => c.submittedAt.toISOString())}::timestamptz[], ${col((c) => c.authorKey)}::text[],
        ${col((c) => c.emailHash)}::text[], ${col((c) => c.ipHash)}::text[], ${col((c) => c.fingerprint)}::text[],
        ${col((c) => c.textHash)}::text[], ${firstOfSite}::bool[]
      ) as x(ord, site, comment_id, thread_id, submitted_at, author_key, email_hash, ip_hash, fingerprint, text_hash, first_of_site)
    ), site_rows as (
      select s.id, s.status, s.settings,
        (select to_jsonb(p) from ${t('policies')} p where p.site = s.id) as policy,
        coalesce((select p.duplicate_window_minutes from ${t('policies')} p where p.site = s.id), ${defaultPolicy('').duplicate_window_minutes}) as window_minutes
        from ${t('sites')} s
       where s.id in (select site from input)
    )
    select
      i.ord,
      case when i.first_of_site and sr.id is not null then jsonb_build_object(
        'status', sr.status,
        'settings', sr.settings,
        'policy', sr.policy,
        'webhook_events', (select coalesce(jsonb_agg(distinct e), '[]'::jsonb)
           from ${t('webhooks')} w, jsonb_array_elements_text(w.events) e where w.site = sr.id and w.active),
        'tokens', (select coalesce(jsonb_object_agg(token, jsonb_build_array(spam, ham)), '{}'::jsonb)
           from ${t('spam_tokens')} st where st.site = sr.id and st.token = any(${[SPAM_DOCS_TOKEN, ...new Set(tokens)]}::text[]))
      ) end as site,
      th.first_seen_at,
      th.closed_at,
      (select jsonb_build_object('author_key', b.author_key, 'email_hash', b.email_hash, 'ip_hash', b.ip_hash, 'reason', b.reason, 'expires_at', b.expires_at)
         from ${t('bans')} b
        where b.site = i.site and b.lifted_at is null and (b.expires_at is null or b.expires_at > ${now})
          and (b.author_key = i.author_key or b.email_hash = i.email_hash or b.ip_hash = i.ip_hash or b.fingerprint = i.fingerprint)
        order by b.created_at desc limit 1) as ban,
      (select jsonb_build_object('id', c.id, 'submitted_at', c.submitted_at) from ${t('comments')} c
        where c.site = i.site and c.author_key = i.author_key and c.text_hash = i.text_hash
          and c.submitted_at >= i.submitted_at - make_interval(mins => sr.window_minutes)
          and c.id <> i.comment_id
        order by c.submitted_at desc, c.id desc
        limit 1) as duplicate_of,
      (select a.trusted from ${t('authors')} a where a.site = i.site and a.author_key = i.author_key) as trusted,
      (select count(*)::int from ${t('reports')} r where r.comment_id = i.comment_id) as report_count,
      -- A scalar lookup by key (LIMIT keeps the planner from hashing the whole table instead).
      (select true from ${t('comments')} k where k.id = i.comment_id limit 1) is not null
        or (select true from ${t('erased_comments')} x where x.comment_id = i.comment_id and x.site = i.site limit 1) is not null as known
    from input i
    left join site_rows sr on sr.id = i.site
    left join ${t('threads')} th on th.site = i.site and th.thread_id = i.thread_id
    order by i.ord
  `.execute(db);
  const sites = new Map<string, SiteJudgementContext>();
  for (const [i, row] of r.rows.entries()) {
    const s = row.site;
    if (!s) continue;
    const site = comments[i]!.site;
    const p = s.policy;
    sites.set(site, {
      status: s.status,
      settings: s.settings,
      policy: p ? ({ ...(p as unknown as PolicyRow), updated_at: new Date(String(p.updated_at)) } as PolicyRow) : defaultPolicy(site),
      tokens: new Map(Object.entries(s.tokens).map(([k, [spam, ham]]) => [k, { spam, ham }])),
      webhookEvents: new Set(s.webhook_events),
    });
  }
  return {
    sites,
    comments: r.rows.map((row) => ({
      known: row.known,
      thread: row.first_seen_at ? { firstSeenAt: row.first_seen_at, closedAt: row.closed_at } : undefined,
      ban: row.ban ? { ...row.ban, expires_at: row.ban.expires_at ? new Date(row.ban.expires_at) : null } : undefined,
      duplicateOf: row.duplicate_of ? { id: row.duplicate_of.id, submittedAt: new Date(row.duplicate_of.submitted_at) } : undefined,
      trusted: row.trusted ?? false,
      reportCount: row.report_count,
    })),
  };
}

export interface JudgedComment {
  row: Omit<CommentTable, 'version' | 'human_decided_at' | 'erased_at'>;
  event: { id: string; reasons: StoredReason[]; at: Date };
  /** The `comments.status-changed` envelope, written to the outbox as `enqueue` would. */
  outbox: { stream: string; envelope: Envelope };
  /** The webhook body, for every active hook of the site that wants `state`. */
  webhook: { event: CommentState; body: string } | undefined;
}

/** A thread the batch saw first, dated by its first comment. */
export interface ThreadSighting {
  site: string;
  threadId: string;
  firstSeenAt: Date;
}

const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** The events a batch applies, recorded in the inbox of `group` by the same statement that applies them. */
export interface InboxClaims {
  group: string;
  eventIds: readonly string[];
}

/**
 * Claims the batch's events in the inbox and stores the judged comments of the events claimed now,
 * with their history entries, outbox rows, webhook deliveries and (for the approved) their
 * authors' trust: one statement, so all of it commits or none of it, without a transaction of its
 * own. An event already in the inbox, or a comment already stored, is skipped with everything that
 * follows it, and so is a comment a privacy request erased before it came; a concurrent claim of
 * the same event waits for this statement and then finds it taken. Returns the ids of the comments
 * stored now.
 */
export async function insertJudgedComments(
  db: Db,
  judged: readonly (JudgedComment & { eventId: string })[],
  claims: InboxClaims,
  newThreads: readonly ThreadSighting[],
): Promise<Set<string>> {
  // In key order, so that two batches claiming overlapping events (or threads) wait for each other rather than deadlock.
  const eventIds = [...new Set(claims.eventIds)].sort();
  const threads = [...newThreads].sort((a, b) => (a.site === b.site ? cmp(a.threadId, b.threadId) : cmp(a.site, b.site)));
  if (eventIds.length === 0) return new Set();
  const row = <T>(f: (c: JudgedComment['row']) => T) => judged.map((j) => f(j.row));
  const json = (v: unknown) => JSON.stringify(v);
  // One typed array per column: Postgres parses arrays far faster than a JSON document of rows.
  const columns = sql.join([
    sql`${judged.map((_, i) => i)}::int[]`,
    sql`${judged.map((j) => j.eventId)}::uuid[]`,
    sql`${row((c) => c.id)}::uuid[]`,
    sql`${row((c) => c.site)}::text[]`,
    sql`${row((c) => c.thread_id)}::text[]`,
    sql`${row((c) => c.thread_url)}::text[]`,
    sql`${row((c) => c.parent_id)}::uuid[]`,
    sql`${row((c) => c.author_key)}::text[]`,
    sql`${row((c) => c.author_name)}::text[]`,
    sql`${row((c) => c.author_website)}::text[]`,
    sql`${row((c) => c.author_email_domain)}::text[]`,
    sql`${row((c) => c.author_email_hash)}::text[]`,
    sql`${row((c) => c.author_ip_hash)}::text[]`,
    sql`${row((c) => c.author_ip_prefix)}::text[]`,
    sql`${row((c) => c.author_fingerprint)}::text[]`,
    sql`${row((c) => c.text)}::text[]`,
    sql`${row((c) => c.text_hash)}::text[]`,
    sql`${row((c) => json(c.signals))}::jsonb[]`,
    sql`${row((c) => c.state)}::text[]`,
    sql`${row((c) => json(c.reasons))}::jsonb[]`,
    sql`${row((c) => json(c.rules))}::jsonb[]`,
    sql`${row((c) => c.spam_score)}::float8[]`,
    sql`${row((c) => c.trained_as)}::text[]`,
    sql`${row((c) => c.report_count)}::int[]`,
    sql`${row((c) => c.submitted_at.toISOString())}::timestamptz[]`,
    sql`${row((c) => c.received_at.toISOString())}::timestamptz[]`,
    sql`${row((c) => c.decided_at?.toISOString() ?? null)}::timestamptz[]`,
    sql`${row((c) => c.decided_by)}::text[]`,
    sql`${judged.map((j) => j.event.id)}::uuid[]`,
    sql`${judged.map((j) => json(j.event.reasons))}::jsonb[]`,
    sql`${judged.map((j) => j.event.at.toISOString())}::timestamptz[]`,
    sql`${judged.map((j) => j.outbox.envelope.id)}::uuid[]`,
    sql`${judged.map((j) => j.outbox.stream)}::text[]`,
    sql`${judged.map((j) => json(j.outbox.envelope))}::jsonb[]`,
    sql`${judged.map((j) => j.webhook?.event ?? null)}::text[]`,
    sql`${judged.map((j) => j.webhook?.body ?? null)}::text[]`,
  ]);
  const r = await sql<{ id: string }>`
    with input as (
      select * from unnest(${columns}) as x(
        ord, source_event, id, site, thread_id, thread_url, parent_id, author_key, author_name,
        author_website, author_email_domain, author_email_hash, author_ip_hash, author_ip_prefix,
        author_fingerprint, "text", text_hash, signals, state, reasons, rules,
        spam_score, trained_as, report_count, submitted_at, received_at,
        decided_at, decided_by, event_id, event_reasons, event_at,
        outbox_id, outbox_stream, outbox_envelope, webhook_event, webhook_body)
    ), thread_ins as (
      -- First sightings of threads: kept when an earlier batch got there first.
      insert into ${t('threads')} (site, thread_id, first_seen_at, closed_at)
      select site, thread_id, first_seen_at, null
        from unnest(${threads.map((x) => x.site)}::text[], ${threads.map((x) => x.threadId)}::text[], ${threads.map((x) => x.firstSeenAt.toISOString())}::timestamptz[])
          as th(site, thread_id, first_seen_at)
      on conflict (site, thread_id) do nothing
    ), claimed as (
      insert into ${t('inbox')} (consumer_group, event_id)
      select ${claims.group}, e from unnest(${eventIds}::uuid[]) as e order by e
      on conflict (consumer_group, event_id) do nothing
      returning event_id
    ), c as (
      insert into ${t('comments')} (
        id, site, thread_id, thread_url, parent_id, author_key, author_name, author_website, author_email_domain,
        author_email_hash, author_ip_hash, author_ip_prefix, author_fingerprint, text, text_hash, signals, state, version,
        reasons, rules, spam_score, trained_as, report_count, submitted_at, received_at, decided_at, decided_by)
      select
        id, site, thread_id, thread_url, parent_id, author_key, author_name, author_website, author_email_domain,
        author_email_hash, author_ip_hash, author_ip_prefix, author_fingerprint, "text", text_hash, signals, state, 1,
        reasons, rules, spam_score, trained_as, report_count, submitted_at, received_at, decided_at, decided_by
      from input where source_event in (select event_id from claimed)
        -- Erased since the read above (an erasure and this statement never overlap: lockCommentWrites).
        and not exists (select 1 from ${t('erased_comments')} x where x.comment_id = input.id and x.site = input.site)
      order by ord
      on conflict (id) do nothing
      returning id
    ), stored as (
      select i.* from input i join c on c.id = i.id
    ), ev as (
      insert into ${t('comment_events')} (id, comment_id, site, kind, from_state, to_state, reasons, actor_kind, actor_key_id, note, at)
      select event_id, id, site, 'verdict', 'pending', state, event_reasons, 'pipeline', null, null, event_at from stored order by ord
    ), ob as (
      insert into ${t('outbox')} (id, stream, envelope)
      select outbox_id, outbox_stream, outbox_envelope from stored order by ord
    ), wh as (
      insert into ${t('webhook_deliveries')} (id, webhook_id, site, event, body, next_attempt_at, created_at)
      select gen_random_uuid(), w.id, s.site, s.webhook_event, s.webhook_body, s.event_at, s.event_at
        from stored s join ${t('webhooks')} w on w.site = s.site and w.active and w.events @> jsonb_build_array(s.webhook_event)
       where s.webhook_event is not null
       order by s.ord
    ), au as (
      -- One row per author (an upsert may touch a row once per statement), in key order so that
      -- concurrent batches lock authors in the same order.
      insert into ${t('authors')} as a (site, author_key, trusted, approved_count)
      select site, author_key, true, count(*)::int from stored where state = 'approved' group by site, author_key order by site, author_key
      on conflict (site, author_key) do update set approved_count = a.approved_count + excluded.approved_count, trusted = true, updated_at = now()
    )
    select id from c
  `.execute(db);
  return new Set(r.rows.map((row) => row.id));
}
