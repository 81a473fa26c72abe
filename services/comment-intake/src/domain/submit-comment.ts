import { createHash } from 'node:crypto';
import {
  AppError,
  ConflictError,
  ErrorCode,
  Streams,
  ValidationError,
  enqueue,
  makeEnvelope,
  uuidv7,
  type CommentsSubmittedV1,
  type SiteRecord,
  type SubmitCommentBody,
  type SubmitCommentResponse,
} from '@parley/shared';
import type { Kysely } from 'kysely';
import { SCHEMA, type IntakeDb } from '../db/tables';
import { findCommentById, insertComment } from '../repositories/comment.repository';
import { findIdempotencyKey, insertIdempotencyKey, tryLockIdempotencyKey } from '../repositories/idempotency.repository';
import { findThreadById, upsertThread } from '../repositories/thread.repository';
import type { IntakeContext } from './context';
import { checkFormToken } from './form-token';
import { newAuthorToken } from './privacy';

export interface SubmitCommentInput {
  site: SiteRecord;
  threadId: string;
  /** Already validated against the site's limits. */
  body: SubmitCommentBody;
  ip: string;
  userAgent: string;
  idempotencyKey?: string;
}

export interface SubmitCommentResult {
  status: 202;
  body: SubmitCommentResponse;
  /** True when this is the stored answer to an earlier request with the same Idempotency-Key. */
  replayed: boolean;
}

/**
 * Accepts a comment: the comment row and its `comments.submitted` outbox row commit together, and
 * only then is the caller answered. The comment stays `pending` until moderation decides; form-token
 * and honeypot findings travel as signals, never as a refusal, so nothing is silently dropped.
 */
export async function submitComment(ctx: IntakeContext, input: SubmitCommentInput): Promise<SubmitCommentResult> {
  const { site, threadId, body } = input;
  const now = ctx.now();
  if (site.status !== 'active') throw new ConflictError('This site does not take new comments.');
  const requestHash = input.idempotencyKey ? hashRequest(threadId, body) : '';

  const result = await ctx.db.transaction().execute(async (trx) => {
    if (input.idempotencyKey) {
      if (!(await tryLockIdempotencyKey(trx, site.id, input.idempotencyKey))) {
        throw new AppError(ErrorCode.IDEMPOTENCY_KEY_IN_FLIGHT, 409, 'A request with this Idempotency-Key is still being processed; retry shortly.');
      }
      const previous = await findIdempotencyKey(trx, site.id, input.idempotencyKey);
      if (previous) {
        if (previous.request_hash !== requestHash) {
          throw new AppError(ErrorCode.IDEMPOTENCY_KEY_REUSED, 422, 'This Idempotency-Key was used with a different request body.');
        }
        const stored = previous.response as { sealed: string };
        return { status: 202 as const, body: JSON.parse(ctx.privacy.open(Buffer.from(stored.sealed, 'base64'))) as SubmitCommentResponse, replayed: true };
      }
    }
    const accepted = await insertSubmission(ctx, trx, input, now);
    if (input.idempotencyKey) {
      // The answer holds the author token: it is kept encrypted, like every other personal datum.
      const sealed = ctx.privacy.seal(JSON.stringify(accepted)).toString('base64');
      await insertIdempotencyKey(trx, { siteId: site.id, key: input.idempotencyKey, requestHash, status: 202, response: { sealed } });
    }
    return { status: 202 as const, body: accepted, replayed: false };
  });
  if (!result.replayed) ctx.afterCommit();
  return result;
}

async function insertSubmission(ctx: IntakeContext, trx: Kysely<IntakeDb>, input: SubmitCommentInput, now: Date): Promise<SubmitCommentResponse> {
  const { site, threadId, body, privacy } = { ...input, privacy: ctx.privacy };
  const settings = site.settings.comments;
  const existing = await findThreadById(trx, site.id, threadId);
  if (existing?.closed_at || (existing && settings.closeAfterDays > 0 && now.getTime() - existing.created_at.getTime() > settings.closeAfterDays * 86_400_000)) {
    throw new ConflictError('This thread is closed to new comments.', { thread: threadId });
  }
  let parent: { root: string; depth: number } | undefined;
  if (body.parentId) {
    const row = await findCommentById(trx, body.parentId);
    if (!row || row.site_id !== site.id || row.thread_id !== threadId || !['pending', 'approved', 'held'].includes(row.status)) {
      throw new ValidationError([{ path: 'body.parentId', message: 'is not a comment of this thread' }]);
    }
    parent = { root: row.root_id, depth: row.depth + 1 };
  }
  const thread = await upsertThread(trx, { siteId: site.id, id: threadId, url: body.pageUrl ?? null, title: body.pageTitle ?? null });

  const id = uuidv7(now.getTime());
  const token = newAuthorToken();
  const email = body.email ?? null;
  const check = checkFormToken(privacy.formTokenKey, body.formToken, site.id, threadId, now, ctx.formTokenTtlMs);
  const signals = { honeypot: Boolean(body.hp), elapsedMs: check.elapsedMs, formToken: check.formToken };
  const author = {
    name: body.name,
    website: body.website ?? null,
    emailDomain: email ? (email.split('@').pop() ?? '').toLowerCase() : null,
    emailHash: email ? privacy.emailHash(email) : null,
    ipHash: privacy.ipHash(input.ip),
    ipPrefix: privacy.ipPrefix(input.ip),
    fingerprint: privacy.fingerprint(input.ip, input.userAgent),
  };
  await insertComment(trx, {
    id,
    site_id: site.id,
    thread_id: threadId,
    parent_id: body.parentId ?? null,
    root_id: parent?.root ?? id,
    depth: parent?.depth ?? 0,
    status: 'pending',
    author_name: author.name,
    author_website: author.website,
    email_encrypted: email ? privacy.encryptEmail(email) : null,
    email_hash: author.emailHash,
    email_domain: author.emailDomain,
    ip_hash: author.ipHash,
    ip_prefix: author.ipPrefix,
    fingerprint: author.fingerprint,
    author_token_hash: token.hash,
    text: body.text,
    signals: JSON.stringify(signals),
    created_at: now,
    status_changed_at: now,
  });
  const payload: CommentsSubmittedV1['payload'] = {
    commentId: id,
    threadId,
    threadUrl: thread.url,
    parentId: body.parentId ?? null,
    author,
    text: body.text,
    signals,
    submittedAt: now.toISOString(),
  };
  await enqueue(trx, SCHEMA, Streams.commentsSubmitted, makeEnvelope(Streams.commentsSubmitted, 1, site.id, payload, now));
  return { id, status: 'pending', authorToken: token.token };
}

/** Same key + same thread and body → same hash; the body is the parsed, normalised one. */
function hashRequest(threadId: string, body: SubmitCommentBody): string {
  return createHash('sha256').update(JSON.stringify([threadId, body])).digest('hex');
}
