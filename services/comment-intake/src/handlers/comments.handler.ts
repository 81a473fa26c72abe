import type { Request, RequestHandler, Response } from 'express';
import { z } from 'zod';
import {
  NotFoundError,
  countsQuerySchema,
  idempotencyKeySchema,
  listCommentsQuerySchema,
  parseOrThrow,
  reportCommentBodySchema,
  siteOf,
  submitCommentBodySchemaFor,
  threadIdSchema,
} from '@parley/shared';
import type { IntakeContext } from '../domain/context';
import { deleteOwnComment, viewOwnComment } from '../domain/author-comment';
import { issueFormToken } from '../domain/form-token';
import { countComments, readThreadPage, threadPageEtag } from '../domain/read-thread';
import { reportComment } from '../domain/report-comment';
import { submitComment } from '../domain/submit-comment';

const threadParams = z.object({ site: z.string(), thread: threadIdSchema });
const commentParams = z.object({ id: z.uuid() });
const idempotencyHeader = z.object({ 'idempotency-key': idempotencyKeySchema.optional() });

// Browsers may cache briefly; a CDN keeps serving the last page while it revalidates by ETag.
const THREAD_CACHE_CONTROL = 'public, max-age=5, s-maxage=10, stale-while-revalidate=30';

function authorToken(req: Request): string | undefined {
  const header = req.headers['x-author-token'];
  return typeof header === 'string' && header.length <= 200 ? header : undefined;
}

function commentId(req: Request): string {
  const r = commentParams.safeParse(req.params);
  if (!r.success) throw new NotFoundError('No such comment.');
  return r.data.id;
}

// zod compiles a parser per schema object: build each site's body schema once, not per request.
const bodySchemas = new Map<string, ReturnType<typeof submitCommentBodySchemaFor>>();
function submitBodySchema(limits: { maxLength: number; requireEmail: boolean }) {
  const key = `${limits.maxLength}:${limits.requireEmail}`;
  let schema = bodySchemas.get(key);
  if (!schema) {
    schema = submitCommentBodySchemaFor(limits);
    bodySchemas.set(key, schema);
  }
  return schema;
}

const userAgent = (req: Request) => String(req.headers['user-agent'] ?? '').slice(0, 512);

export function commentsHandlers(ctx: IntakeContext) {
  const formToken: RequestHandler = (req, res) => {
    const site = siteOf(res);
    const { thread } = parseOrThrow(threadParams, req.params, 'params');
    const now = ctx.now();
    res.setHeader('Cache-Control', 'no-store');
    res.json({
      token: issueFormToken(ctx.privacy.formTokenKey, site.id, thread, now),
      expiresAt: new Date(now.getTime() + ctx.formTokenTtlMs).toISOString(),
      minSubmitSeconds: site.settings.comments.minSubmitSeconds,
    });
  };

  const submit: RequestHandler = async (req, res) => {
    const site = siteOf(res);
    const { thread } = parseOrThrow(threadParams, req.params, 'params');
    const headers = parseOrThrow(idempotencyHeader, req.headers, 'headers');
    const body = parseOrThrow(submitBodySchema(site.settings.comments), req.body, 'body');
    const result = await submitComment(ctx, {
      site,
      threadId: thread,
      body,
      ip: req.ip ?? 'unknown',
      userAgent: userAgent(req),
      idempotencyKey: headers['idempotency-key'],
    });
    if (result.replayed) res.setHeader('Idempotent-Replayed', 'true');
    res.setHeader('Cache-Control', 'no-store');
    res.status(result.status).json(result.body);
  };

  const list: RequestHandler = async (req, res) => {
    const site = siteOf(res);
    const { thread } = parseOrThrow(threadParams, req.params, 'params');
    const query = parseOrThrow(listCommentsQuerySchema, req.query, 'query');
    const input = { site, threadId: thread, order: query.order, cursor: query.cursor, limit: query.limit };
    res.setHeader('Cache-Control', THREAD_CACHE_CONTROL);
    res.vary('Origin');
    const etag = await threadPageEtag(ctx, input);
    if (matches(req, etag)) {
      res.setHeader('ETag', etag);
      res.status(304).end();
      return;
    }
    const page = await readThreadPage(ctx, input);
    res.setHeader('ETag', page.etag);
    res.type('application/json').send(page.body);
  };

  const counts: RequestHandler = async (req, res) => {
    const site = siteOf(res);
    const { threads } = parseOrThrow(countsQuerySchema, req.query, 'query');
    res.setHeader('Cache-Control', THREAD_CACHE_CONTROL);
    res.json({ counts: await countComments(ctx, site, threads) });
  };

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

  return { formToken, submit, list, counts, viewOwn, deleteOwn, report };
}

/** `If-None-Match` with our ETag (or `*`), comparing weakly as RFC 9110 asks for GET. */
function matches(req: Request, etag: string): boolean {
  const header = req.headers['if-none-match'];
  if (!header) return false;
  return header
    .split(',')
    .map((t) => t.trim().replace(/^W\//, ''))
    .some((t) => t === '*' || t === etag);
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
