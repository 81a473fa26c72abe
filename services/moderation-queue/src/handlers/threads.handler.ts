import type { RequestHandler } from 'express';
import { z } from 'zod';
import { ValidationError, parseOrThrow, principalOf, siteOf, threadIdSchema } from '@parley/shared';
import type { UseCaseContext } from '../domain/context';
import { closeThread } from '../domain/threads';
import { decodeCursor, encodeCursor } from '../repositories/comment.repository';
import { listAuditEntries } from '../repositories/audit.repository';

/** The `:thread` of `/threads/:thread/closed`. */
export const threadParamsSchema = z.object({ thread: threadIdSchema });
/** `GET /audit`: newest first, keyset-paginated. */
export const auditQuerySchema = z.strictObject({ limit: z.coerce.number().int().min(1).max(200).default(50), cursor: z.string().max(200).optional() });

export function threadsHandlers(ctx: UseCaseContext) {
  const setClosed =
    (closed: boolean): RequestHandler =>
    async (req, res) => {
      const { thread } = parseOrThrow(threadParamsSchema, req.params, 'params');
      res.json(await closeThread(ctx, { keyId: principalOf(res).keyId }, siteOf(res).id, thread, closed));
    };
  const audit: RequestHandler = async (req, res) => {
    const q = parseOrThrow(auditQuerySchema, req.query, 'query');
    const cursor = q.cursor ? decodeCursor(q.cursor) : undefined;
    if (q.cursor && !cursor) throw new ValidationError([{ path: 'query.cursor', message: 'not a cursor this API gave out' }], 400);
    const rows = await listAuditEntries(ctx.db, siteOf(res).id, q.limit, cursor && { at: new Date(cursor.at), id: cursor.id });
    const page = rows.slice(0, q.limit);
    const last = page[page.length - 1];
    res.json({
      items: page.map((r) => ({ id: r.id, keyId: r.key_id, action: r.action, target: r.target, before: r.before, after: r.after, at: r.at.toISOString() })),
      nextCursor: rows.length > q.limit && last ? encodeCursor({ at: last.at.toISOString(), id: last.id }) : null,
    });
  };
  return { close: setClosed(true), reopen: setClosed(false), audit };
}
