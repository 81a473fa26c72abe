import type { Kysely } from 'kysely';
import { PoisonMessageError, type PrivacyRequestsV1 } from '@parley/shared';
import type { CommentRow, ModerationDb, StoredReason } from '../db/tables';
import { insertAuditEntry } from '../repositories/audit.repository';
import { insertCommentEvent } from '../repositories/comment-event.repository';
import {
  deletePendingWebhookDeliveries,
  deleteUnusedTokens,
  eraseCommentRows,
  forgetErasedAuthors,
  insertErasedComments,
  lockCommentWrites,
  lockCommentsForErasure,
  scrubCommentHistory,
} from '../repositories/erasure.repository';
import { addTokenCounts } from '../repositories/spam-token.repository';
import type { QueueChange } from './queue-live-hub';
import { features } from './spam/features';

/** The reason code of a comment erased by a privacy request. */
export const PRIVACY_ERASED = 'PRIVACY_ERASED';

/**
 * `privacy.requests` (DESIGN §7). An export needs nothing of moderation: intake answers it. An
 * erasure: intake has already erased the comments it names on its side and taken them off the
 * pages (it sends no status change for them), so moderation erases its copy of them, and of the
 * site's other comments written with the subject's email hash up to the request, never another
 * site's. Each becomes `deleted` (out of every queue; no decision applies to a deleted comment)
 * with nothing of its author or text, its history keeps its codes with a PRIVACY_ERASED entry,
 * its pending webhook calls are dropped, what the site's classifier learnt from it is unlearnt,
 * and so is its author's trust (forgetErasedAuthors). Nothing is published: intake made the
 * change. Comments named before moderation had them are recorded, so that they are dropped when
 * they come. Bans stay as they are: they protect the publisher, hold only keyed hashes, and a
 * moderator can lift them. A redelivery, or a later event of the same request, finds the comments
 * erased and does nothing. Returns the queue changes, one per comment erased now.
 */
export async function applyPrivacyRequest(trx: Kysely<ModerationDb>, event: PrivacyRequestsV1, now: Date): Promise<QueueChange[]> {
  const p = event.payload;
  if (p.kind !== 'erase') return [];
  if (event.site === '*') throw new PoisonMessageError('privacy request for no site');
  await lockCommentWrites(trx);
  const rows = await lockCommentsForErasure(trx, event.site, { ids: p.commentIds, emailHash: p.subject.emailHash, submittedUntil: new Date(p.requestedAt) });
  const ids = rows.map((r) => r.id);
  await insertErasedComments(trx, event.site, [...new Set([...p.commentIds, ...ids])], p.requestId, now);
  if (rows.length === 0) return [];

  for (const row of rows) if (row.trained_as) await unlearn(trx, row);
  await scrubCommentHistory(trx, ids);
  const byAuthor = p.requestedBy.kind === 'author';
  const reason: StoredReason = {
    code: PRIVACY_ERASED,
    detail: `erased at ${byAuthor ? 'its author’s' : 'an operator’s'} request (privacy request ${p.requestId})`,
  };
  await eraseCommentRows(trx, ids, reason, now, 'deleted');
  const approvedByKey = new Map<string, number>();
  for (const row of rows) if (row.state === 'approved') approvedByKey.set(row.author_key, (approvedByKey.get(row.author_key) ?? 0) + 1);
  await forgetErasedAuthors(trx, event.site, { emailHash: p.subject.emailHash, approvedByKey });
  for (const row of rows) {
    await insertCommentEvent(trx, {
      comment_id: row.id,
      site: row.site,
      kind: byAuthor ? 'author' : 'decision',
      from_state: row.state,
      to_state: 'deleted',
      reasons: [reason],
      // The moderators' API knows no operator actor: an operator acts with an API key, named by keyId.
      actor_kind: byAuthor ? 'author' : 'moderator',
      actor_key_id: byAuthor ? null : p.requestedBy.keyId,
      note: null,
      at: now,
    });
  }
  const webhooksDropped = await deletePendingWebhookDeliveries(trx, event.site, ids);
  await insertAuditEntry(trx, {
    keyId: byAuthor ? null : p.requestedBy.keyId,
    site: event.site,
    action: 'privacy.erase',
    target: p.requestId,
    before: null,
    after: { requestedBy: p.requestedBy.kind, comments: ids.length, webhookDeliveriesDropped: webhooksDropped },
  });
  const at = now.toISOString();
  return rows.map((r) => ({ site: r.site, commentId: r.id, threadId: r.thread_id, from: r.state, to: 'deleted', at }));
}

/** Takes back what a moderator's decision taught the site's classifier from the comment, and the tokens no other comment holds. */
async function unlearn(trx: Kysely<ModerationDb>, row: CommentRow): Promise<void> {
  const tokens = features({
    text: row.text,
    author: { name: row.author_name, website: row.author_website, emailDomain: row.author_email_domain, emailHash: null, ipHash: '', fingerprint: '', key: '' },
    signals: row.signals as never,
  });
  await addTokenCounts(trx, row.site, tokens, { spam: row.trained_as === 'spam' ? -1 : 0, ham: row.trained_as === 'ham' ? -1 : 0 });
  await deleteUnusedTokens(trx, row.site, tokens);
}
