import {
  PRIVACY_EXPORT_MAX_COMMENTS,
  PRIVACY_REQUEST_MAX_COMMENTS,
  Streams,
  enqueue,
  makeEnvelope,
  uuidv7,
  type OutboxEvent,
  type PrivacyErasure,
  type PrivacyExport,
  type PrivacyRequestsV1,
} from '@parley/shared';
import { SCHEMA, type CommentRow } from '../db/tables';
import { findCommentById, lockCommentById } from '../repositories/comment.repository';
import { eraseCommentRows, findCommentsByEmailHash, lockCommentsByEmailHash } from '../repositories/personal-data.repository';
import { bumpThreads, compareKeys } from '../repositories/thread.repository';
import { ownedOrThrow } from './author-comment';
import type { IntakeContext } from './context';
import { hashAuthorToken } from './privacy';

/** Whose data, on which site, asked for by whom (DESIGN §7). */
export interface PrivacySubject {
  site: string;
  /** The operator's request: every comment of the site written with this email. */
  email?: string;
  /** The reader's request: this one comment, if the author token proves it theirs (else 404). */
  comment?: { id: string; authorToken: string };
  requestedBy: PrivacyRequestsV1['payload']['requestedBy'];
}

/**
 * The person's comments on the site (an operator's request), or the reader's one comment, as they
 * wrote them (the email decrypted), and a `privacy.requests` event naming them so the services
 * holding copies can answer too. Erased comments have nothing left to export.
 */
export async function exportPersonalData(ctx: IntakeContext, subject: PrivacySubject): Promise<PrivacyExport> {
  const now = ctx.now();
  const requestId = uuidv7(now.getTime());
  const hashes = subjectHashes(ctx, subject);
  let rows: CommentRow[] = [];
  if (subject.comment) {
    const own = ownedOrThrow(await findCommentById(ctx.db, subject.comment.id), subject.comment.authorToken);
    if (own.erased_at === null) rows = [own];
  } else if (hashes.emailHash !== null) {
    rows = await findCommentsByEmailHash(ctx.db, subject.site, hashes.emailHash, PRIVACY_EXPORT_MAX_COMMENTS + 1);
  }
  const truncated = rows.length > PRIVACY_EXPORT_MAX_COMMENTS;
  const kept = rows.slice(0, PRIVACY_EXPORT_MAX_COMMENTS);
  if (kept.length > 0) ctx.afterCommit(await ctx.db.transaction().execute((trx) => announce(trx, subject, requestId, 'export', hashes, kept, now)));
  ctx.logger.info({ requestId, site: subject.site, kind: 'export', comments: kept.length, by: subject.requestedBy }, 'privacy request answered');
  return {
    requestId,
    kind: 'export',
    truncated,
    // Moderation keys an author with an email by its hash (authorKeyOf); intake computed it just now.
    authorKey: subject.email === undefined ? null : hashes.emailHash,
    comments: kept.map((r) => ({
      id: r.id,
      thread: r.thread_id,
      parentId: r.parent_id,
      status: r.status,
      name: r.author_name,
      email: r.email_encrypted ? ctx.privacy.decryptEmail(r.email_encrypted) : null,
      website: r.author_website,
      text: r.text,
      ipPrefix: r.ip_prefix,
      createdAt: r.created_at.toISOString(),
      statusChangedAt: r.status_changed_at.toISOString(),
    })),
  };
}

/**
 * Erases the person's comments on the site: each becomes a deleted tombstone with nothing of its
 * author (name, email, website, text, network, reader fingerprint), leaves open pages at once, and
 * is named in `privacy.requests` so moderation erases its copy. Already erased comments are left
 * as they are, so a repeated request erases nothing more and announces nothing.
 */
export async function erasePersonalData(ctx: IntakeContext, subject: PrivacySubject): Promise<PrivacyErasure> {
  const now = ctx.now();
  const requestId = uuidv7(now.getTime());
  const hashes = subjectHashes(ctx, subject);
  const done = await ctx.db.transaction().execute(async (trx) => {
    let rows: CommentRow[] = [];
    if (subject.comment) {
      // A reader's request: a wrong token and an unknown comment are both "not found".
      const own = ownedOrThrow(await lockCommentById(trx, subject.comment.id), subject.comment.authorToken);
      if (own.erased_at === null) rows = [own];
    } else if (hashes.emailHash !== null) {
      rows = await lockCommentsByEmailHash(trx, subject.site, hashes.emailHash);
    }
    if (rows.length === 0) return undefined;
    await eraseCommentRows(trx, rows.map((r) => r.id), now);
    // Approved ones leave their threads' counts; the version bump drops cached pages either way.
    const threads = new Map<string, { siteId: string; id: string; approvedDelta: number }>();
    for (const r of rows) {
      const t = threads.get(r.thread_id) ?? { siteId: r.site_id, id: r.thread_id, approvedDelta: 0 };
      if (r.status === 'approved') t.approvedDelta -= 1;
      threads.set(r.thread_id, t);
    }
    await bumpThreads(trx, [...threads.values()].sort(compareKeys));
    const events = await announce(trx, subject, requestId, 'erase', hashes, rows, now);
    return { rows, events };
  });
  if (done) {
    ctx.afterCommit(done.events);
    for (const r of done.rows) ctx.threadChanged(r.site_id, r.thread_id, r.status === 'approved' ? { type: 'removed', id: r.id } : undefined);
  }
  const erased = done?.rows.length ?? 0;
  ctx.logger.info({ requestId, site: subject.site, kind: 'erase', comments: erased, by: subject.requestedBy }, 'privacy request answered');
  return { requestId, kind: 'erase', erased };
}

type SubjectHashes = Pick<PrivacyRequestsV1['payload']['subject'], 'emailHash' | 'authorTokenHash'>;

/** How the event names the person: keyed hashes only, never the email or the token. */
function subjectHashes(ctx: IntakeContext, subject: PrivacySubject): SubjectHashes {
  return {
    emailHash: subject.email === undefined ? null : ctx.privacy.emailHash(subject.email),
    authorTokenHash: subject.comment ? hashAuthorToken(subject.comment.authorToken) : null,
  };
}

/** Writes the request's `privacy.requests` events to the outbox, the ids in chunks the contract allows. */
async function announce(
  trx: IntakeContext['db'],
  subject: PrivacySubject,
  requestId: string,
  kind: PrivacyRequestsV1['payload']['kind'],
  hashes: SubjectHashes,
  rows: readonly Pick<CommentRow, 'id'>[],
  now: Date,
): Promise<OutboxEvent[]> {
  const chunks: string[][] = [];
  for (let i = 0; i < rows.length; i += PRIVACY_REQUEST_MAX_COMMENTS) chunks.push(rows.slice(i, i + PRIVACY_REQUEST_MAX_COMMENTS).map((r) => r.id));
  const events = chunks.map((commentIds) => {
    const payload: PrivacyRequestsV1['payload'] = {
      requestId,
      kind,
      subject: { ...hashes, consentId: null },
      commentIds,
      requestedBy: subject.requestedBy,
      requestedAt: now.toISOString(),
    };
    return { stream: Streams.privacyRequests, envelope: makeEnvelope(Streams.privacyRequests, 1, subject.site, payload, now) };
  });
  await enqueue(trx, SCHEMA, Streams.privacyRequests, events.map((e) => e.envelope));
  return events;
}
