import type { RequestHandler, Response } from 'express';
import {
  ErrorCode,
  NotFoundError,
  ValidationError,
  bulkDecisionBodySchema,
  decisionBodySchema,
  parseOrThrow,
  principalOf,
  queueQuerySchema,
  siteOf,
  UUID_RE,
} from '@parley/shared';
import type { UseCaseContext } from '../domain/context';
import { decideBulk, decideComment } from '../domain/decide-comment';
import { listCommentEvents } from '../repositories/comment-event.repository';
import { commentRowToItem, countByState, decodeCursor, encodeCursor, findCommentById, listQueue } from '../repositories/comment.repository';

export function commentIdOf(param: unknown): string {
  const id = String(param);
  // Not a comment id: the same 404 as an unknown one (or one of another site).
  if (!UUID_RE.test(id)) throw new NotFoundError('Unknown comment.', ErrorCode.NOT_FOUND);
  return id;
}

const actorOf = (res: Response) => ({ keyId: principalOf(res).keyId });

export function moderationHandlers(ctx: UseCaseContext) {
  const queue: RequestHandler = async (req, res) => {
    const q = parseOrThrow(queueQuerySchema, req.query, 'query');
    const cursor = q.cursor ? decodeCursor(q.cursor) : undefined;
    if (q.cursor && !cursor) throw new ValidationError([{ path: 'query.cursor', message: 'not a cursor this API gave out' }], 400);
    const rows = await listQueue(ctx.db, siteOf(res).id, q, cursor);
    const page = rows.slice(0, q.limit);
    const last = page[page.length - 1];
    res.json({
      items: page.map(commentRowToItem),
      nextCursor: rows.length > q.limit && last ? encodeCursor({ at: last.submitted_at.toISOString(), id: last.id }) : null,
    });
  };
  const counts: RequestHandler = async (_req, res) => {
    res.json({ counts: await countByState(ctx.db, siteOf(res).id) });
  };
  const get: RequestHandler = async (req, res) => {
    const row = await findCommentById(ctx.db, siteOf(res).id, commentIdOf(req.params.id));
    if (!row) throw new NotFoundError('Unknown comment.', ErrorCode.NOT_FOUND);
    const events = await listCommentEvents(ctx.db, row.id);
    res.json({
      ...commentRowToItem(row),
      history: events.map((e) => ({
        kind: e.kind,
        from: e.from_state,
        to: e.to_state,
        reasons: e.reasons,
        actor: { kind: e.actor_kind, keyId: e.actor_key_id },
        note: e.note,
        at: e.at.toISOString(),
      })),
    });
  };
  const decide: RequestHandler = async (req, res) => {
    const id = commentIdOf(req.params.id);
    const body = parseOrThrow(decisionBodySchema, req.body, 'body');
    res.json(await decideComment(ctx, actorOf(res), siteOf(res).id, id, body));
  };
  const bulk: RequestHandler = async (req, res) => {
    const body = parseOrThrow(bulkDecisionBodySchema, req.body, 'body');
    res.json({ results: await decideBulk(ctx, actorOf(res), siteOf(res).id, body) });
  };
  return { queue, counts, get, decide, bulk };
}
