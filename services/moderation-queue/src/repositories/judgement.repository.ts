import { sql, type Kysely } from 'kysely';
import type { Envelope, SiteSettings } from '@parley/shared';
import { SCHEMA, SPAM_DOCS_TOKEN, type BanRow, type CommentState, type CommentTable, type ModerationDb, type PolicyRow, type StoredReason } from '../db/tables';
import { defaultPolicy } from './policy.repository';
import type { TokenCounts } from './spam-token.repository';

type Db = Kysely<ModerationDb>;

/** Everything the pipeline reads about one comment, fetched in one round trip. */
export interface JudgementContext {
  site: { status: 'active' | 'closed' | 'deleted'; settings: SiteSettings } | undefined;
  policy: PolicyRow;
  thread: { firstSeenAt: Date; closedAt: Date | null };
  ban: Pick<BanRow, 'author_key' | 'email_hash' | 'ip_hash' | 'reason' | 'expires_at'> | undefined;
  duplicateOf: string | undefined;
  trusted: boolean;
  reportCount: number;
  tokens: Map<string, TokenCounts>;
}

/**
 * One statement instead of a dozen: under load each round trip to Postgres costs more than the
 * query itself, so the worker's reads (and the thread's first sighting) go together.
 */
export async function loadJudgementContext(
  db: Db,
  c: { site: string; commentId: string; threadId: string; submittedAt: Date; authorKey: string; emailHash: string | null; ipHash: string; fingerprint: string; textHash: string; tokens: string[]; now: Date },
): Promise<JudgementContext> {
  const s = SCHEMA;
  const t = (name: string) => sql.table(`${s}.${name}`);
  const r = await sql<{
    site_status: 'active' | 'closed' | 'deleted' | null;
    site_settings: SiteSettings | null;
    policy: Record<string, unknown> | null;
    first_seen_at: Date | null;
    closed_at: Date | null;
    ban: { author_key: string; email_hash: string | null; ip_hash: string | null; reason: string; expires_at: string | null } | null;
    duplicate_of: string | null;
    trusted: boolean | null;
    report_count: number;
    tokens: Record<string, [number, number]>;
  }>`
    with thread_ins as (
      insert into ${t('threads')} (site, thread_id, first_seen_at, closed_at)
      values (${c.site}, ${c.threadId}, ${c.submittedAt}, null)
      on conflict (site, thread_id) do nothing
      returning first_seen_at
    )
    select
      (select status from ${t('sites')} where id = ${c.site}) as site_status,
      (select settings from ${t('sites')} where id = ${c.site}) as site_settings,
      (select to_jsonb(p) from ${t('policies')} p where p.site = ${c.site}) as policy,
      coalesce((select first_seen_at from thread_ins), (select first_seen_at from ${t('threads')} where site = ${c.site} and thread_id = ${c.threadId})) as first_seen_at,
      (select closed_at from ${t('threads')} where site = ${c.site} and thread_id = ${c.threadId}) as closed_at,
      (select jsonb_build_object('author_key', author_key, 'email_hash', email_hash, 'ip_hash', ip_hash, 'reason', reason, 'expires_at', expires_at)
         from ${t('bans')}
        where site = ${c.site} and lifted_at is null and (expires_at is null or expires_at > ${c.now})
          and (author_key = ${c.authorKey} or email_hash = ${c.emailHash} or ip_hash = ${c.ipHash} or fingerprint = ${c.fingerprint})
        order by created_at desc limit 1) as ban,
      (select id from ${t('comments')}
        where site = ${c.site} and author_key = ${c.authorKey} and text_hash = ${c.textHash}
          and submitted_at >= ${c.submittedAt}::timestamptz - make_interval(mins => coalesce((select duplicate_window_minutes from ${t('policies')} where site = ${c.site}), ${defaultPolicy(c.site).duplicate_window_minutes}))
          and id <> ${c.commentId}
        limit 1) as duplicate_of,
      (select trusted from ${t('authors')} where site = ${c.site} and author_key = ${c.authorKey}) as trusted,
      (select count(*)::int from ${t('reports')} where comment_id = ${c.commentId}) as report_count,
      (select coalesce(jsonb_object_agg(token, jsonb_build_array(spam, ham)), '{}'::jsonb)
         from ${t('spam_tokens')} where site = ${c.site} and token = any(${[SPAM_DOCS_TOKEN, ...c.tokens]}::text[])) as tokens
  `.execute(db);
  const row = r.rows[0]!;
  const p = row.policy;
  return {
    site: row.site_status && row.site_settings ? { status: row.site_status, settings: row.site_settings } : undefined,
    policy: p ? ({ ...(p as unknown as PolicyRow), updated_at: new Date(String(p.updated_at)) } as PolicyRow) : defaultPolicy(c.site),
    thread: { firstSeenAt: row.first_seen_at ?? c.submittedAt, closedAt: row.closed_at },
    ban: row.ban ? { ...row.ban, expires_at: row.ban.expires_at ? new Date(row.ban.expires_at) : null } : undefined,
    duplicateOf: row.duplicate_of ?? undefined,
    trusted: row.trusted ?? false,
    reportCount: row.report_count,
    tokens: new Map(Object.entries(row.tokens).map(([k, [spam, ham]]) => [k, { spam, ham }])),
  };
}

export interface JudgedComment {
  row: Omit<CommentTable, 'version' | 'human_decided_at'>;
  event: { id: string; reasons: StoredReason[]; at: Date };
  /** The `comments.status-changed` envelope, written to the outbox as `enqueue` would. */
  outbox: { stream: string; envelope: Envelope };
  /** The webhook body, for every active hook of the site that wants `state`. */
  webhook: { event: CommentState; body: string } | undefined;
}

/**
 * Stores a judged comment with its history entry, its outbox row, its webhook deliveries and (when
 * approved) its author's trust, in one statement. Nothing is written if the comment was already
 * known; returns whether it was new.
 */
export async function insertJudgedComment(db: Db, j: JudgedComment): Promise<boolean> {
  const c = j.row;
  const t = (name: string) => sql.table(`${SCHEMA}.${name}`);
  const wh = j.webhook;
  const r = await sql<{ n: number }>`
    with c as (
      insert into ${t('comments')} (
        id, site, thread_id, thread_url, parent_id, author_key, author_name, author_website, author_email_domain,
        author_email_hash, author_ip_hash, author_ip_prefix, author_fingerprint, text, text_hash, signals, state, version,
        reasons, rules, spam_score, trained_as, report_count, submitted_at, received_at, decided_at, decided_by)
      values (
        ${c.id}, ${c.site}, ${c.thread_id}, ${c.thread_url}, ${c.parent_id}, ${c.author_key}, ${c.author_name}, ${c.author_website},
        ${c.author_email_domain}, ${c.author_email_hash}, ${c.author_ip_hash}, ${c.author_ip_prefix}, ${c.author_fingerprint},
        ${c.text}, ${c.text_hash}, ${JSON.stringify(c.signals)}::jsonb, ${c.state}, 1, ${JSON.stringify(c.reasons)}::jsonb,
        ${JSON.stringify(c.rules)}::jsonb, ${c.spam_score}, ${c.trained_as}, ${c.report_count}, ${c.submitted_at}, ${c.received_at},
        ${c.decided_at}, ${c.decided_by})
      on conflict (id) do nothing
      returning id
    ), ev as (
      insert into ${t('comment_events')} (id, comment_id, site, kind, from_state, to_state, reasons, actor_kind, actor_key_id, note, at)
      select ${j.event.id}, id, ${c.site}, 'verdict', 'pending', ${c.state}, ${JSON.stringify(j.event.reasons)}::jsonb, 'pipeline', null, null, ${j.event.at} from c
    ), ob as (
      insert into ${t('outbox')} (id, stream, envelope)
      select ${j.outbox.envelope.id}, ${j.outbox.stream}, ${JSON.stringify(j.outbox.envelope)}::jsonb from c
    ), wh as (
      insert into ${t('webhook_deliveries')} (id, webhook_id, site, event, body, next_attempt_at, created_at)
      select gen_random_uuid(), w.id, ${c.site}, ${wh?.event ?? ''}, ${wh?.body ?? ''}, ${j.event.at}, ${j.event.at}
        from c, ${t('webhooks')} w
       where ${wh !== undefined} and w.site = ${c.site} and w.active and w.events @> ${JSON.stringify([wh?.event ?? ''])}::jsonb
    ), au as (
      insert into ${t('authors')} as a (site, author_key, trusted, approved_count)
      select ${c.site}, ${c.author_key}, true, 1 from c where ${c.state === 'approved'}
      on conflict (site, author_key) do update set approved_count = a.approved_count + 1, trusted = true, updated_at = now()
    )
    select count(*)::int as n from c
  `.execute(db);
  return r.rows[0]!.n === 1;
}
