import type { Kysely } from 'kysely';
import {
  ConflictError,
  ErrorCode,
  NotFoundError,
  ValidationError,
  type BulkDecisionBody,
  type DecisionAction,
  type DecisionBody,
  type QueueItem,
} from '@parley/shared';
import { SCHEMA, type CommentRow, type CommentState, type ModerationDb } from '../db/tables';
import { insertAuditEntry } from '../repositories/audit.repository';
import { commentRowToItem, lockCommentById } from '../repositories/comment.repository';
import type { Actor, UseCaseContext } from './context';
import type { QueueChange } from './queue-live-hub';
import { transition } from './transition';

/** What each action does, and from which states it may. */
export const ACTIONS: Record<DecisionAction, { to: CommentState; from: readonly CommentState[] }> = {
  approve: { to: 'approved', from: ['pending', 'held', 'spam', 'rejected'] },
  reject: { to: 'rejected', from: ['pending', 'held', 'spam', 'approved'] },
  spam: { to: 'spam', from: ['pending', 'held', 'rejected', 'approved'] },
  remove: { to: 'removed', from: ['approved'] },
  restore: { to: 'approved', from: ['removed'] },
};

export type DecisionOutcome = 'applied' | 'conflict' | 'not-found' | 'invalid-transition';

async function decideLocked(
  trx: Kysely<ModerationDb>,
  actor: Actor,
  row: CommentRow | undefined,
  item: { expectedState: CommentState; action: DecisionAction; reason?: string },
  now: Date,
): Promise<{ outcome: DecisionOutcome; row?: CommentRow; change?: QueueChange }> {
  if (!row) return { outcome: 'not-found' };
  if (row.state !== item.expectedState) return { outcome: 'conflict', row };
  const rule = ACTIONS[item.action];
  // An erased comment keeps its status (retention) but has nothing left to judge or to publish.
  if (!rule.from.includes(row.state) || row.erased_at !== null) return { outcome: 'invalid-transition', row };
  const note = item.reason ?? null;
  const { row: after, change } = await transition(trx, row, rule.to, {
    kind: 'decision',
    reasons: [{ code: `MODERATOR_${item.action.toUpperCase()}`, detail: note ?? `${item.action} by a moderator` }],
    actor: { kind: 'moderator', keyId: actor.keyId },
    note,
    now,
  });
  await insertAuditEntry(trx, {
    keyId: actor.keyId,
    site: row.site,
    action: `comment.${item.action}`,
    target: row.id,
    before: { state: row.state, version: row.version },
    after: { state: after.state, version: after.version, reason: note },
  });
  return { outcome: 'applied', row: after, change };
}

/**
 * One moderator decision with optimistic concurrency: the caller names the state it saw; if the
 * comment has moved on since, nothing changes and the answer is 409 with the current state.
 */
export async function decideComment(ctx: UseCaseContext, actor: Actor, site: string, id: string, body: DecisionBody): Promise<QueueItem> {
  const now = ctx.now?.() ?? new Date();
  const r = await ctx.db.transaction().execute(async (trx) => decideLocked(trx, actor, await lockCommentById(trx, site, id), body, now));
  if (r.outcome === 'not-found') throw new NotFoundError('Unknown comment.', ErrorCode.NOT_FOUND);
  if (r.outcome === 'conflict') {
    throw new ConflictError(`The comment is ${r.row!.state} now, not ${body.expectedState}: someone decided first.`, {
      currentState: r.row!.state,
      version: r.row!.version,
    });
  }
  if (r.outcome === 'invalid-transition') {
    const why = r.row!.erased_at === null ? `that is ${r.row!.state}` : 'whose personal data was erased';
    throw new ValidationError([{ path: 'body.action', message: `cannot ${body.action} a comment ${why}` }]);
  }
  ctx.afterCommit();
  ctx.live?.publish([r.change!]);
  return commentRowToItem(r.row!);
}

/** Up to 500 decisions in one transaction; each item gets its own outcome. Rows are locked in id order (no deadlocks between bulks). */
export async function decideBulk(
  ctx: UseCaseContext,
  actor: Actor,
  site: string,
  body: BulkDecisionBody,
): Promise<{ commentId: string; outcome: DecisionOutcome; state: CommentState | null }[]> {
  const now = ctx.now?.() ?? new Date();
  const changes: QueueChange[] = [];
  const results = await ctx.db.transaction().execute(async (trx) => {
    const ids = [...new Set(body.items.map((i) => i.commentId))].sort();
    const rows = await trx.withSchema(SCHEMA).selectFrom('comments').selectAll().where('site', '=', site).where('id', 'in', ids).orderBy('id').forUpdate().execute();
    const byId = new Map(rows.map((r) => [r.id, r]));
    const out: { commentId: string; outcome: DecisionOutcome; state: CommentState | null }[] = [];
    for (const item of body.items) {
      const r = await decideLocked(trx, actor, byId.get(item.commentId), { ...item, action: body.action, reason: body.reason }, now);
      if (r.row) byId.set(item.commentId, r.row);
      if (r.change) changes.push(r.change);
      out.push({ commentId: item.commentId, outcome: r.outcome, state: r.row?.state ?? null });
    }
    return out;
  });
  if (changes.length) {
    ctx.afterCommit();
    ctx.live?.publish(changes);
  }
  return results;
}
