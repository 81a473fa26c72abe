import type { Kysely } from 'kysely';
import { Streams, enqueue, makeEnvelope, uuidv7, type CommentsStatusChangedV1 } from '@parley/shared';
import { SCHEMA, type CommentRow, type CommentState, type ModerationDb, type StoredReason } from '../db/tables';
import { recordApproval } from '../repositories/author.repository';
import { insertCommentEvent } from '../repositories/comment-event.repository';
import { setTrainedAs, updateCommentState } from '../repositories/comment.repository';
import { addTokenCounts } from '../repositories/spam-token.repository';
import { enqueueWebhookDeliveries } from '../repositories/webhook.repository';
import type { QueueChange } from './queue-live-hub';
import { features } from './spam/features';

export interface TransitionActor {
  kind: 'pipeline' | 'moderator';
  keyId: string | null;
}

export interface TransitionOptions {
  kind: 'verdict' | 'decision' | 'report' | 'author';
  reasons: StoredReason[];
  actor: TransitionActor;
  note?: string | null;
  now: Date;
}

const WEBHOOK_EVENTS: ReadonlySet<CommentState> = new Set(['held', 'approved', 'rejected', 'spam', 'removed']);

/** Moves a (locked) comment to `to` and announces it; returns the updated row and the change. */
export async function transition(trx: Kysely<ModerationDb>, row: CommentRow, to: CommentState, opts: TransitionOptions): Promise<{ row: CommentRow; change: QueueChange }> {
  const updated = await updateCommentState(trx, row.id, {
    to,
    decidedAt: opts.now,
    by: opts.actor.kind,
    ...(opts.kind === 'decision' || opts.kind === 'report' || opts.kind === 'author' ? { reasons: opts.reasons, rules: opts.reasons.map((r) => r.code) } : {}),
  });
  const change = await announceTransition(trx, row, row.state, to, opts);
  if (opts.actor.kind === 'moderator') await learn(trx, row, to);
  return { row: updated, change };
}

/**
 * Everything that follows a state change, in the same transaction: the history entry,
 * `comments.status-changed` through the outbox, webhook deliveries, and author trust.
 */
export async function announceTransition(
  trx: Kysely<ModerationDb>,
  c: Pick<CommentRow, 'id' | 'site' | 'thread_id' | 'thread_url' | 'author_key'>,
  from: CommentState,
  to: CommentState,
  opts: TransitionOptions,
): Promise<QueueChange> {
  const at = opts.now.toISOString();
  await insertCommentEvent(trx, {
    comment_id: c.id,
    site: c.site,
    kind: opts.kind,
    from_state: from,
    to_state: to,
    reasons: opts.reasons,
    actor_kind: opts.actor.kind,
    actor_key_id: opts.actor.keyId,
    note: opts.note ?? null,
    at: opts.now,
  });
  const payload: CommentsStatusChangedV1['payload'] = {
    commentId: c.id,
    threadId: c.thread_id,
    from,
    to,
    reasons: opts.reasons.slice(0, 20),
    actor: { kind: opts.actor.kind, keyId: opts.actor.keyId },
    changedAt: at,
  };
  await enqueue(trx, SCHEMA, Streams.commentsStatusChanged, statusChanged(c.site, payload, opts.now));
  const hook = webhookOf(c, payload);
  if (hook) await enqueueWebhookDeliveries(trx, c.site, hook.event, hook.body, opts.now);
  if (to === 'approved' && from !== 'approved') await recordApproval(trx, c.site, c.author_key, 1);
  return { site: c.site, commentId: c.id, threadId: c.thread_id, from, to, at };
}

export function statusChanged(site: string, payload: CommentsStatusChangedV1['payload'], now: Date): CommentsStatusChangedV1 {
  return makeEnvelope(Streams.commentsStatusChanged, 1, site, payload, now) as CommentsStatusChangedV1;
}

/** The webhook call for a change (held, approved, rejected, spam, removed); undefined for other states. */
export function webhookOf(
  c: Pick<CommentRow, 'id' | 'site' | 'thread_id' | 'thread_url'>,
  p: CommentsStatusChangedV1['payload'],
): { event: CommentState; body: string } | undefined {
  if (!WEBHOOK_EVENTS.has(p.to)) return undefined;
  const body = JSON.stringify({
    id: uuidv7(Date.parse(p.changedAt)),
    type: `comment.${p.to}`,
    site: c.site,
    occurredAt: p.changedAt,
    comment: { id: c.id, threadId: c.thread_id, threadUrl: c.thread_url, from: p.from, to: p.to, reasons: p.reasons, actor: p.actor },
  });
  return { event: p.to, body };
}

/** A moderator's spam or approve teaches the site's classifier; a changed mind unteaches the old label. */
async function learn(trx: Kysely<ModerationDb>, row: CommentRow, to: CommentState): Promise<void> {
  const label = to === 'spam' ? 'spam' : to === 'approved' ? 'ham' : undefined;
  if (!label || label === row.trained_as) return;
  const tokens = features({
    text: row.text,
    author: { name: row.author_name, website: row.author_website, emailDomain: row.author_email_domain, emailHash: null, ipHash: '', fingerprint: '', key: '' },
    signals: row.signals as never,
  });
  const delta = { spam: label === 'spam' ? 1 : 0, ham: label === 'ham' ? 1 : 0 };
  if (row.trained_as) {
    delta.spam -= row.trained_as === 'spam' ? 1 : 0;
    delta.ham -= row.trained_as === 'ham' ? 1 : 0;
  }
  await addTokenCounts(trx, row.site, tokens, delta);
  await setTrainedAs(trx, row.id, label);
}
