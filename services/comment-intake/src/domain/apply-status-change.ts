import { PoisonMessageError, type CommentStatus, type CommentsStatusChangedV1 } from '@parley/shared';
import type { Kysely } from 'kysely';
import type { CommentRow, IntakeDb } from '../db/tables';
import { lockCommentsByIds, updateCommentStatuses } from '../repositories/comment.repository';
import { bumpThreads, compareKeys } from '../repositories/thread.repository';
import type { LiveEvent } from './thread-live-hub';
import { toPublicComment } from './read-thread';

export interface AppliedStatusChange {
  site: string;
  thread: string;
  /** What open pages should see; undefined when the public view did not change. */
  live?: LiveEvent;
}

/**
 * Applies moderation decisions, in stream order, to the public read model: the comments are
 * locked together, and their statuses and their threads' versions and counts are written in one
 * statement each, however many events the batch holds. The transition guard (`from` must be the
 * status at that point) makes a stale or replayed decision a no-op: an author's deletion stays,
 * and intake's own `deleted` events come back harmlessly.
 */
export async function applyStatusChanges(trx: Kysely<IntakeDb>, events: readonly CommentsStatusChangedV1[]): Promise<AppliedStatusChange[]> {
  const rows = new Map<string, CommentRow>();
  for (const row of await lockCommentsByIds(trx, [...new Set(events.map((e) => e.payload.commentId))])) rows.set(row.id, row);
  const status = new Map<string, { status: CommentStatus; at: Date }>();
  const threads = new Map<string, { siteId: string; id: string; approvedDelta: number }>();
  const applied: AppliedStatusChange[] = [];
  for (const event of events) {
    const { commentId, from, to, changedAt } = event.payload;
    const row = rows.get(commentId);
    if (!row || row.site_id !== event.site) throw new PoisonMessageError(`comment ${commentId} is unknown to intake`);
    const current = status.get(commentId)?.status ?? row.status;
    if (current !== from || from === to) continue;
    status.set(commentId, { status: to, at: new Date(changedAt) });
    const delta = (to === 'approved' ? 1 : 0) - (from === 'approved' ? 1 : 0);
    if (delta === 0) {
      applied.push({ site: row.site_id, thread: row.thread_id });
      continue;
    }
    const key = `${row.site_id}\n${row.thread_id}`;
    const bump = threads.get(key) ?? { siteId: row.site_id, id: row.thread_id, approvedDelta: 0 };
    bump.approvedDelta += delta;
    threads.set(key, bump);
    const live: LiveEvent = delta > 0 ? { type: 'comment', comment: toPublicComment(row) } : { type: 'removed', id: commentId };
    applied.push({ site: row.site_id, thread: row.thread_id, live });
  }
  await updateCommentStatuses(trx, [...status].map(([id, s]) => ({ id, ...s })));
  // Sorted, so the update normally takes the thread rows in one order and two instances' batches do
  // not deadlock (were they to, each would be retried one event at a time).
  await bumpThreads(trx, [...threads.values()].sort(compareKeys));
  return applied;
}
