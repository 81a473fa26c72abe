import type { Kysely } from 'kysely';
import { PoisonMessageError, Streams, uuidv7, type CommentsSubmittedV1 } from '@parley/shared';
import type { ModerationDb, PolicyRow } from '../db/tables';
import { insertJudgedComment, loadJudgementContext } from '../repositories/judgement.repository';
import type { QueueChange } from './queue-live-hub';
import { runPipeline } from './rules/pipeline';
import type { ActiveBan, CandidateComment, Policy } from './rules/rule';
import { modelFrom, spamProbability } from './spam/classifier';
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

/**
 * Judges a submitted comment and stores it with every verdict, in the caller's transaction
 * (with the inbox claim), announcing the outcome through the outbox. Two statements: one read of
 * everything the rules need, one write of everything that follows. Undefined when the comment
 * was already known (the same comment under another event id).
 */
export async function moderateSubmitted(trx: Kysely<ModerationDb>, event: CommentsSubmittedV1, now: Date): Promise<QueueChange | undefined> {
  const p = event.payload;
  const submittedAt = new Date(p.submittedAt);
  const authorKey = authorKeyOf(p.author);
  const comment: CandidateComment = {
    id: p.commentId,
    threadId: p.threadId,
    author: { key: authorKey, ...p.author },
    text: p.text,
    signals: p.signals,
    submittedAt,
  };
  const tokens = features(comment);
  const hash = textHash(p.text);
  const ctx = await loadJudgementContext(trx, {
    site: event.site,
    commentId: p.commentId,
    threadId: p.threadId,
    submittedAt,
    authorKey,
    emailHash: p.author.emailHash,
    ipHash: p.author.ipHash,
    fingerprint: p.author.fingerprint,
    textHash: hash,
    tokens,
    now,
  });
  // Moderation owns the sites: an event for one it never had can never succeed.
  if (!ctx.site) throw new PoisonMessageError(`comment for unknown site ${event.site}`);
  const spam = modelFrom(ctx.tokens);
  const ban = ctx.ban;
  const activeBan: ActiveBan | undefined = ban && {
    matchedOn:
      ban.author_key === authorKey ? 'author' : p.author.emailHash && ban.email_hash === p.author.emailHash ? 'email' : ban.ip_hash === p.author.ipHash ? 'ip' : 'fingerprint',
    reason: ban.reason,
    expiresAt: ban.expires_at,
  };
  const result = runPipeline({
    comment,
    site: ctx.site,
    policy: policyOf(ctx.policy),
    thread: ctx.thread,
    ban: activeBan,
    duplicateOf: ctx.duplicateOf,
    author: { trusted: ctx.trusted },
    spam,
    reports: ctx.reportCount,
  });
  const reasons = result.verdicts.map((v) => ({ code: v.code, detail: v.detail }));
  const c = { id: p.commentId, site: event.site, thread_id: p.threadId, thread_url: p.threadUrl };
  const payload = {
    commentId: p.commentId,
    threadId: p.threadId,
    from: 'pending' as const,
    to: result.outcome,
    reasons: reasons.slice(0, 20),
    actor: { kind: 'pipeline' as const, keyId: null },
    changedAt: now.toISOString(),
  };
  const inserted = await insertJudgedComment(trx, {
    row: {
      ...c,
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
      submitted_at: submittedAt,
      received_at: now,
      decided_at: now,
      decided_by: 'pipeline',
    },
    event: { id: uuidv7(now.getTime()), reasons, at: now },
    outbox: { stream: Streams.commentsStatusChanged, envelope: statusChanged(event.site, payload, now) },
    webhook: webhookOf(c, payload),
  });
  if (!inserted) return undefined;
  return { site: event.site, commentId: p.commentId, threadId: p.threadId, from: 'pending', to: result.outcome, at: payload.changedAt };
}
