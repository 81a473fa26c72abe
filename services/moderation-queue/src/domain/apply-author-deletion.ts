import type { Kysely } from 'kysely';
import type { CommentsStatusChangedV1 } from '@parley/shared';
import type { ModerationDb } from '../db/tables';
import { insertCommentEvent } from '../repositories/comment-event.repository';
import { lockCommentById, updateCommentState } from '../repositories/comment.repository';
import { isCommentErased } from '../repositories/erasure.repository';
import type { QueueChange } from './queue-live-hub';

/** Thrown while the comment has not reached moderation yet: the delivery is retried later. */
export class CommentNotYetKnownError extends Error {
  override name = 'CommentNotYetKnownError';
}

/**
 * An author deleted their comment in intake: moderation's copy follows, so moderators stop seeing
 * it in the queue. Nothing is announced (intake made the change). Other status changes on the
 * stream are moderation's own and are ignored.
 */
export async function applyAuthorDeletion(trx: Kysely<ModerationDb>, event: CommentsStatusChangedV1, now: Date): Promise<QueueChange | undefined> {
  const p = event.payload;
  if (p.actor.kind !== 'author' || p.to !== 'deleted') return undefined;
  const row = await lockCommentById(trx, event.site, p.commentId);
  if (!row) {
    // Erased by a privacy request before it came: it never will, and there is nothing left to delete.
    if (await isCommentErased(trx, event.site, p.commentId)) return undefined;
    // The two streams have no order between them: the comment itself may still be on its way.
    throw new CommentNotYetKnownError(`comment ${p.commentId} not moderated yet`);
  }
  if (row.state === 'deleted') return undefined;
  await updateCommentState(trx, row.id, { to: 'deleted', decidedAt: row.decided_at ?? now, by: row.decided_by ?? 'pipeline' });
  await insertCommentEvent(trx, {
    comment_id: row.id,
    site: row.site,
    kind: 'author',
    from_state: row.state,
    to_state: 'deleted',
    reasons: p.reasons,
    actor_kind: 'author',
    actor_key_id: null,
    note: null,
    at: new Date(p.changedAt),
  });
  return { site: row.site, commentId: row.id, threadId: row.thread_id, from: row.state, to: 'deleted', at: p.changedAt };
}
