import { PoisonMessageError, type CommentsStatusChangedV1 } from '@parley/shared';
import type { Kysely } from 'kysely';
import type { IntakeDb } from '../db/tables';
import { lockCommentById, updateCommentStatus } from '../repositories/comment.repository';
import { bumpThread } from '../repositories/thread.repository';
import type { LiveEvent } from './thread-live-hub';
import { toPublicComment } from './read-thread';

export interface AppliedStatusChange {
  site: string;
  thread: string;
  /** What open pages should see; undefined when the public view did not change. */
  live?: LiveEvent;
}

/**
 * Applies a moderation decision to the public read model. The transition guard (`from` must be
 * the stored status) makes a stale or replayed decision a no-op: an author's deletion stays, and
 * intake's own `deleted` events come back harmlessly.
 */
export async function applyStatusChange(trx: Kysely<IntakeDb>, event: CommentsStatusChangedV1): Promise<AppliedStatusChange | undefined> {
  const { commentId, from, to, changedAt } = event.payload;
  const row = await lockCommentById(trx, commentId);
  if (!row || row.site_id !== event.site) throw new PoisonMessageError(`comment ${commentId} is unknown to intake`);
  if (row.status !== from || from === to) return undefined;
  await updateCommentStatus(trx, commentId, to, new Date(changedAt));
  const delta = (to === 'approved' ? 1 : 0) - (from === 'approved' ? 1 : 0);
  if (delta === 0) return { site: row.site_id, thread: row.thread_id };
  await bumpThread(trx, row.site_id, row.thread_id, delta);
  const live: LiveEvent = delta > 0 ? { type: 'comment', comment: toPublicComment(row) } : { type: 'removed', id: commentId };
  return { site: row.site_id, thread: row.thread_id, live };
}
