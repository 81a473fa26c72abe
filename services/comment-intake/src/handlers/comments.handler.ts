import type { Request, RequestHandler, Response } from 'express';
import { z } from 'zod';
import {
  NotFoundError,
  parseOrThrow,
  reportCommentBodySchema,
} from '@parley/shared';
import type { IntakeContext } from '../domain/context';
import { deleteOwnComment, viewOwnComment } from '../domain/author-comment';
import { reportComment } from '../domain/report-comment';

const commentParams = z.object({ id: z.uuid() });

export function authorToken(req: Request): string | undefined {
  const header = req.headers['x-author-token'];
  return typeof header === 'string' && header.length <= 200 ? header : undefined;
}

export function commentId(req: Request): string {
  const r = commentParams.safeParse(req.params);
  if (!r.success) throw new NotFoundError('No such comment.');
  return r.data.id;
}

const userAgent = (req: Request) => String(req.headers['user-agent'] ?? '').slice(0, 512);

export function commentsHandlers(ctx: IntakeContext) {
  const viewOwn: RequestHandler = async (req, res) => {
    const view = await viewOwnComment(ctx, commentId(req), authorToken(req));
    res.setHeader('Cache-Control', 'private, no-store');
    res.json(view);
  };

  const deleteOwn: RequestHandler = async (req, res) => {
    await deleteOwnComment(ctx, commentId(req), authorToken(req));
    res.status(204).end();
  };

  const report: RequestHandler = async (req, res) => {
    const body = parseOrThrow(reportCommentBodySchema, req.body, 'body');
    const result = await reportComment(ctx, { commentId: commentId(req), body, ip: req.ip ?? 'unknown', userAgent: userAgent(req) });
    res.status(202).json(result);
  };

  return { viewOwn, deleteOwn, report };
}

/** For comment-level routes: the comment's site becomes `res.locals.site` (for Origin and CORS). */
export function loadCommentSite(ctx: IntakeContext, siteOfComment: (id: string) => Promise<string | undefined>): RequestHandler {
  return async (req, res: Response, next) => {
    const id = commentParams.safeParse(req.params);
    if (!id.success) return next(new NotFoundError('No such comment.'));
    const siteId = await siteOfComment(id.data.id);
    const site = siteId ? await ctx.findSite(siteId) : undefined;
    if (!site || site.status === 'deleted') return next(new NotFoundError('No such comment.'));
    res.locals.site = site;
    next();
  };
}
