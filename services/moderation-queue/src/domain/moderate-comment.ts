import type { Kysely } from 'kysely';
import { PoisonMessageError, Streams, uuidv7, type CommentsSubmittedV1, type OutboxEvent } from '@parley/shared';
import type { ModerationDb, PolicyRow } from '../db/tables';
import {
  insertJudgedComments,
  loadJudgementContext,
  type CommentJudgementContext,
  type JudgedComment,
  type SiteJudgementContext,
  type ThreadSighting,
} from '../repositories/judgement.repository';
import type { QueueChange } from './queue-live-hub';
import { runPipeline } from './rules/pipeline';
import type { ActiveBan, CandidateComment, Policy } from './rules/rule';
import { modelFrom, spamProbability, type SpamModel } from './spam/classifier';
import { features } from './spam/features';
import { textHash, wordMatcher } from './text/normalise';
import { statusChanged, webhookOf } from './transition';

/** Compiled word lists per site and list version: compiling a long list per comment would dominate. */
const matchers = new Map<string, Pick<Policy, 'disallowed' | 'suspect'>>();

function policyOf(row: PolicyRow): Policy {
  const key = `${row.site}\u0000${row.words_version}`;
  let m = matchers.get(key);
  if (!m) {
    if (matchers.size > 1_000) matchers.clear();
    m = { disallowed: wordMatcher(row.disallowed_words), suspect: wordMatcher(row.suspect_words) };
    matchers.set(key, m);
  }
  return { ...m, spamHoldThreshold: row.spam_hold_threshold, spamThreshold: row.spam_threshold, reportsHold: row.reports_hold };
}

/** The author's identity across comments: the keyed email hash when given, else the browser fingerprint. */
export function authorKeyOf(author: CommentsSubmittedV1['payload']['author']): string {
  return author.emailHash ?? author.fingerprint;
}

/** One comment of a batch, with what it is judged on. */
interface Candidate {
  event: CommentsSubmittedV1;
  comment: CandidateComment;
  tokens: string[];
  hash: string;
  site: SiteJudgementContext;
}

/**
 * Judges submitted comments and stores each with every verdict, announcing the outcomes through
 * the outbox. Two statements whatever the batch size: one read (the sites with their policies,
 * learnt token counts and webhook events; each comment's context), and one write of everything
 * that follows together with the events' inbox claims under `inboxGroup`, which makes a
 * redelivered event a no-op. The rules run in between, in the batch's order. The write is one
 * statement, so all or nothing without an explicit transaction; the read sees what is committed,
 * as it would inside one at read committed (ADR 0010).
 *
 * A batch decides exactly as one-at-a-time handling in the same order would: a comment sees what
 * the earlier ones of its batch did (a repeat of an earlier comment is a duplicate; an author
 * approved earlier is trusted; the first comment of a new thread dates it). A comment already
 * stored, or repeated within the batch, is skipped. Returns the changes made, in order.
 * An event of a site moderation never had can never succeed: PoisonMessageError (the transport
 * then hands the batch's messages over one at a time, so that one alone is dead-lettered).
 */
export async function moderateSubmittedBatch(
  db: Kysely<ModerationDb>,
  events: readonly CommentsSubmittedV1[],
  now: Date,
  inboxGroup: string,
  /** Receives the committed status-changed events, to publish at once (ADR 0015); else the relay reads them. */
  handOver?: (events: OutboxEvent[]) => void,
): Promise<QueueChange[]> {
  if (events.length === 0) return [];
  const prepared = events.map((event) => {
    const p = event.payload;
    const comment: CandidateComment = {
      id: p.commentId,
      threadId: p.threadId,
      author: { key: authorKeyOf(p.author), ...p.author },
      text: p.text,
      signals: p.signals,
      submittedAt: new Date(p.submittedAt),
    };
    return { event, comment, tokens: features(comment), hash: textHash(p.text) };
  });
  const context = await loadJudgementContext(
    db,
    prepared.map(({ event, comment: c, hash }) => ({
      site: event.site,
      commentId: c.id,
      threadId: c.threadId,
      submittedAt: c.submittedAt,
      authorKey: c.author.key,
      emailHash: c.author.emailHash,
      ipHash: c.author.ipHash,
      fingerprint: c.author.fingerprint,
      textHash: hash,
    })),
    prepared.flatMap((c) => c.tokens),
    now,
  );
  const candidates: Candidate[] = prepared.map((c) => {
    const site = context.sites.get(c.event.site);
    // Moderation owns the sites: an event for one it never had can never succeed (nothing was written for it).
    if (!site) throw new PoisonMessageError(`comment for unknown site ${c.event.site}`);
    return { ...c, site };
  });
  const contexts = context.comments;
  const { judged, newThreads } = judgeInOrder(candidates, contexts, now);
  const stored = await insertJudgedComments(
    db,
    judged.map((j) => ({ ...j.stored, eventId: j.eventId })),
    { group: inboxGroup, eventIds: events.map((e) => e.id) },
    newThreads,
  );
  const kept = judged.filter((j) => stored.has(j.stored.row.id));
  if (kept.length > 0) handOver?.(kept.map((j) => j.stored.outbox));
  return kept.map((j) => j.change);
}

/**
 * The pipeline over each comment in order, with what earlier comments of the batch changed: the
 * threads they saw first, the comments they stored (duplicates), the authors they approved
 * (trust). Pure: returns what to store and the threads to record.
 */
function judgeInOrder(
  candidates: readonly Candidate[],
  contexts: readonly CommentJudgementContext[],
  now: Date,
): { judged: { eventId: string; stored: JudgedComment; change: QueueChange }[]; newThreads: ThreadSighting[] } {
  const out: { eventId: string; stored: JudgedComment; change: QueueChange }[] = [];
  const newThreads = new Map<string, ThreadSighting>();
  const seen = new Set<string>();
  const earlier = new Map<string, { id: string; submittedAt: Date }[]>();
  const approvedAuthors = new Set<string>();
  const models = new Map<SiteJudgementContext, SpamModel>();
  for (let i = 0; i < candidates.length; i++) {
    const { event, comment, tokens, hash, site } = candidates[i]!;
    const ctx = contexts[i]!;
    // A thread not stored yet is dated by the batch's first comment in it.
    const threadKey = `${event.site}\u0000${comment.threadId}`;
    let thread = ctx.thread;
    if (!thread) {
      let sighting = newThreads.get(threadKey);
      if (!sighting) {
        sighting = { site: event.site, threadId: comment.threadId, firstSeenAt: comment.submittedAt };
        newThreads.set(threadKey, sighting);
      }
      thread = { firstSeenAt: sighting.firstSeenAt, closedAt: null };
    }
    if (ctx.known || seen.has(comment.id)) continue;
    seen.add(comment.id);
    const siteId = event.site;
    const authorKey = comment.author.key;
    const authorId = `${siteId}\u0000${authorKey}`;
    const dupKey = `${authorId}\u0000${hash}`;
    const windowStart = comment.submittedAt.getTime() - site.policy.duplicate_window_minutes * 60_000;
    const duplicateOf = mostRecent([ctx.duplicateOf, ...(earlier.get(dupKey) ?? []).filter((e) => e.submittedAt.getTime() >= windowStart)])?.id;
    let spam = models.get(site);
    if (!spam) {
      spam = modelFrom(site.tokens);
      models.set(site, spam);
    }
    const ban = ctx.ban;
    const p = event.payload;
    const activeBan: ActiveBan | undefined = ban && {
      matchedOn:
        ban.author_key === authorKey ? 'author' : p.author.emailHash && ban.email_hash === p.author.emailHash ? 'email' : ban.ip_hash === p.author.ipHash ? 'ip' : 'fingerprint',
      reason: ban.reason,
      expiresAt: ban.expires_at,
    };
    const result = runPipeline({
      comment,
      site: { status: site.status, settings: site.settings },
      policy: policyOf(site.policy),
      thread,
      ban: activeBan,
      duplicateOf,
      author: { trusted: ctx.trusted || approvedAuthors.has(authorId) },
      spam,
      tokens,
      reports: ctx.reportCount,
    });
    const list = earlier.get(dupKey) ?? [];
    list.push({ id: comment.id, submittedAt: comment.submittedAt });
    earlier.set(dupKey, list);
    if (result.outcome === 'approved') approvedAuthors.add(authorId);

    const reasons = result.verdicts.map((v) => ({ code: v.code, detail: v.detail }));
    const c = { id: p.commentId, site: siteId, thread_id: p.threadId, thread_url: p.threadUrl };
    const payload = {
      commentId: p.commentId,
      threadId: p.threadId,
      from: 'pending' as const,
      to: result.outcome,
      reasons: reasons.slice(0, 20),
      actor: { kind: 'pipeline' as const, keyId: null },
      changedAt: now.toISOString(),
    };
    out.push({
      eventId: event.id,
      stored: {
        // Spelt out: spreading `c` into this many fields left V8 a slow dictionary-mode object,
        // which cost more than the whole pipeline.
        row: {
          id: c.id,
          site: c.site,
          thread_id: c.thread_id,
          thread_url: c.thread_url,
          parent_id: p.parentId,
          author_key: authorKey,
          author_name: p.author.name,
          author_website: p.author.website,
          author_email_domain: p.author.emailDomain,
          author_email_hash: p.author.emailHash,
          author_ip_hash: p.author.ipHash,
          author_ip_prefix: p.author.ipPrefix,
          author_fingerprint: p.author.fingerprint,
          text: p.text,
          text_hash: hash,
          signals: p.signals,
          state: result.outcome,
          reasons,
          rules: [...new Set(reasons.map((r) => r.code))],
          spam_score: spamProbability(spam, tokens),
          trained_as: null,
          report_count: ctx.reportCount,
          submitted_at: comment.submittedAt,
          received_at: now,
          decided_at: now,
          decided_by: 'pipeline',
        },
        event: { id: uuidv7(now.getTime()), reasons, at: now },
        outbox: { stream: Streams.commentsStatusChanged, envelope: statusChanged(siteId, payload, now) },
        webhook: site.webhookEvents.has(result.outcome) ? webhookOf(c, payload) : undefined,
      },
      change: { site: siteId, commentId: p.commentId, threadId: p.threadId, from: 'pending', to: result.outcome, at: payload.changedAt },
    });
  }
  return { judged: out, newThreads: [...newThreads.values()] };
}

/** The most recent of the author's matching comments (ties: the greater id), as the stored-comment lookup orders them. */
function mostRecent(found: readonly ({ id: string; submittedAt: Date } | undefined)[]): { id: string; submittedAt: Date } | undefined {
  let best: { id: string; submittedAt: Date } | undefined;
  for (const f of found) {
    if (!f) continue;
    const t = f.submittedAt.getTime();
    if (!best || t > best.submittedAt.getTime() || (t === best.submittedAt.getTime() && f.id > best.id)) best = f;
  }
  return best;
}
