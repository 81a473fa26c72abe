import { timingSafeEqual } from 'node:crypto';
import {
  AppError,
  ErrorCode,
  NotFoundError,
  Streams,
  enqueue,
  makeEnvelope,
  type AuthorCommentView,
  type CommentStatus,
  type CommentsStatusChangedV1,
} from '@parley/shared';
import { SCHEMA, type CommentRow } from '../db/tables';
import { renderCommentHtml } from '../render/comment-html';
import { findCommentById, lockCommentById, updateCommentStatus } from '../repositories/comment.repository';
import { bumpThread } from '../repositories/thread.repository';
import type { IntakeContext } from './context';
import { hashAuthorToken } from './privacy';

const AUTHOR_STATUS: Record<CommentStatus, AuthorCommentView['status']> = {
  pending: 'awaiting moderation',
  held: 'awaiting moderation',
  approved: 'approved',
  spam: 'not published',
  rejected: 'not published',
  removed: 'not published',
  deleted: 'deleted',
};

/** A wrong token and an unknown id look the same, so ids cannot be probed. */
export function ownedOrThrow(row: CommentRow | undefined, token: string | undefined): CommentRow {
  const given = Buffer.from(token ? hashAuthorToken(token) : '');
  if (!row || given.length !== 64 || !timingSafeEqual(given, Buffer.from(row.author_token_hash))) throw new NotFoundError('No such comment.');
  return row;
}

async function editWindowEnd(ctx: IntakeContext, row: CommentRow): Promise<Date> {
  const site = await ctx.findSite(row.site_id);
  const minutes = site?.settings.comments.editWindowMinutes ?? 0;
  return new Date(row.created_at.getTime() + minutes * 60_000);
}

export async function viewOwnComment(ctx: IntakeContext, id: string, token: string | undefined): Promise<AuthorCommentView> {
  const row = ownedOrThrow(await findCommentById(ctx.db, id), token);
  const until = await editWindowEnd(ctx, row);
  return {
    id: row.id,
    site: row.site_id,
    thread: row.thread_id,
    status: AUTHOR_STATUS[row.status],
    text: row.text,
    html: renderCommentHtml(row.text),
    createdAt: row.created_at.toISOString(),
    deletableUntil: row.status !== 'deleted' && until > ctx.now() ? until.toISOString() : null,
  };
}

/** The site a comment belongs to (for the Origin check of comment-level writes), if it exists. */
export async function siteOfComment(ctx: IntakeContext, id: string): Promise<string | undefined> {
  return (await findCommentById(ctx.db, id))?.site_id;
}

/**
 * The author withdraws their comment within the site's edit window. Moderation learns it from
 * `comments.status-changed` (actor author); open pages lose it at once.
 */
export async function deleteOwnComment(ctx: IntakeContext, id: string, token: string | undefined): Promise<void> {
  const now = ctx.now();
  const probe = ownedOrThrow(await findCommentById(ctx.db, id), token);
  const until = await editWindowEnd(ctx, probe);
  const removed = await ctx.db.transaction().execute(async (trx) => {
    const row = ownedOrThrow(await lockCommentById(trx, id), token);
    if (row.status === 'deleted') return undefined; // a retried DELETE is a no-op
    if (now > until) throw new AppError(ErrorCode.FORBIDDEN, 403, 'The time to delete this comment has passed.');
    await updateCommentStatus(trx, id, 'deleted', now);
    const wasPublic = row.status === 'approved';
    await bumpThread(trx, row.site_id, row.thread_id, wasPublic ? -1 : 0);
    const payload: CommentsStatusChangedV1['payload'] = {
      commentId: id,
      threadId: row.thread_id,
      from: row.status,
      to: 'deleted',
      reasons: [{ code: 'AUTHOR_DELETED', detail: 'deleted by its author' }],
      actor: { kind: 'author', keyId: null },
      changedAt: now.toISOString(),
    };
    await enqueue(trx, SCHEMA, Streams.commentsStatusChanged, makeEnvelope(Streams.commentsStatusChanged, 1, row.site_id, payload, now));
    return { row, wasPublic };
  });
  if (!removed) return;
  ctx.afterCommit();
  ctx.threadChanged(removed.row.site_id, removed.row.thread_id, removed.wasPublic ? { type: 'removed', id } : undefined);
}
