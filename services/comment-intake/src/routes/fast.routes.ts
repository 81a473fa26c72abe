import type { OutgoingHttpHeaders } from 'node:http';
import { z } from 'zod';
import {
  corsForSiteOf,
  countsQuerySchema,
  findPublicSite,
  idempotencyKeySchema,
  listCommentsQuerySchema,
  parseOrThrow,
  readJsonBody,
  requireOriginOf,
  submitCommentBodySchemaFor,
  threadIdSchema,
  type FastRequest,
  type FastResult,
  type FastRoute,
  type TenancyDirectory,
} from '@parley/shared';
import type { IntakeContext } from '../domain/context';
import { issueFormToken } from '../domain/form-token';
import { countComments, isThreadClosedNow, threadPage, type ThreadPageResult } from '../domain/read-thread';
import { submitComment } from '../domain/submit-comment';

const threadParams = z.object({ site: z.string(), thread: threadIdSchema });
const idempotencyHeader = z.object({ 'idempotency-key': idempotencyKeySchema.optional() });

// Browsers may cache briefly; a CDN keeps serving the last page while it revalidates by ETag.
const THREAD_CACHE_CONTROL = 'public, max-age=5, s-maxage=10, stale-while-revalidate=30';
const NO_STORE: OutgoingHttpHeaders = { 'cache-control': 'no-store' };
const SETTINGS_CACHE: OutgoingHttpHeaders = { 'cache-control': 'public, max-age=60' };

/** Rate limits of one submission, checked in one round trip; throws RateLimitedError, else headers to send. */
export type SubmitLimitCheck = (who: { ip: string; siteId: string; email?: string }) => Promise<OutgoingHttpHeaders | undefined>;

export interface FastRoutesDeps {
  ctx: IntakeContext;
  directory: TenancyDirectory;
  checkSubmitLimits: SubmitLimitCheck;
  bodyLimitBytes: number;
}

// zod compiles a parser per schema object: one per distinct site limit, not one per request.
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

/** The two answers of a cached page, built once per page: a repeat read allocates almost nothing. */
const answers = new WeakMap<ThreadPageResult, { ok: FastResult; notModified: FastResult }>();
function pageAnswers(page: ThreadPageResult): { ok: FastResult; notModified: FastResult } {
  let answer = answers.get(page);
  if (!answer) {
    const headers = { 'cache-control': THREAD_CACHE_CONTROL, etag: page.etag };
    answer = {
      ok: { status: 200, headers: { ...headers, 'content-type': 'application/json; charset=utf-8' }, body: page.body },
      notModified: { status: 304, headers },
    };
    answers.set(page, answer);
  }
  return answer;
}

const userAgent = (req: FastRequest) => String(req.headers['user-agent'] ?? '').slice(0, 512);

/** `If-None-Match` with our ETag (or `*`), compared weakly as RFC 9110 asks for GET. */
function matches(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  return header
    .split(',')
    .map((t) => t.trim().replace(/^W\//, ''))
    .some((t) => t === '*' || t === etag);
}

/**
 * What every page view and every comment goes through, on the fast frame (ADR 0013): the site's
 * settings, the form token, the thread page, counts and the submit. The rest of the API is Express (comments.routes.ts).
 */
export function fastRoutes({ ctx, directory, checkSubmitLimits, bodyLimitBytes }: FastRoutesDeps): FastRoute[] {
  const thread = '/v1/sites/:site/threads/:thread';
  return [
    {
      method: 'GET',
      path: `${thread}/form-token`,
      handle: async (req) => {
        const site = await findPublicSite(directory, req.params.site);
        corsForSiteOf(site, req);
        const { thread: threadId } = parseOrThrow(threadParams, req.params, 'params');
        const closed = await isThreadClosedNow(ctx, site, threadId);
        const now = ctx.now();
        return {
          status: 200,
          headers: NO_STORE,
          json: {
            token: issueFormToken(ctx.privacy.formTokenKey, site.id, threadId, now),
            expiresAt: new Date(now.getTime() + ctx.formTokenTtlMs).toISOString(),
            minSubmitSeconds: site.settings.comments.minSubmitSeconds,
            closed,
          },
        };
      },
    },
    {
      method: 'GET',
      path: `${thread}/comments`,
      handle: async (req) => {
        const site = await findPublicSite(directory, req.params.site);
        corsForSiteOf(site, req); // sets Vary: Origin either way
        const { thread: threadId } = parseOrThrow(threadParams, req.params, 'params');
        const query = parseOrThrow(listCommentsQuerySchema, req.query, 'query');
        const page = await threadPage(ctx, { site, threadId, order: query.order, cursor: query.cursor, limit: query.limit });
        const answer = pageAnswers(page);
        return matches(req.headers['if-none-match'], page.etag) ? answer.notModified : answer.ok;
      },
    },
    {
      method: 'GET',
      path: '/v1/sites/:site/settings',
      handle: async (req) => {
        const site = await findPublicSite(directory, req.params.site);
        corsForSiteOf(site, req);
        return { status: 200, headers: SETTINGS_CACHE, json: { id: site.id, name: site.name, status: site.status, comments: site.settings.comments } };
      },
    },
    {
      method: 'GET',
      path: '/v1/sites/:site/counts',
      handle: async (req) => {
        const site = await findPublicSite(directory, req.params.site);
        corsForSiteOf(site, req);
        const { threads } = parseOrThrow(countsQuerySchema, req.query, 'query');
        return { status: 200, headers: { 'cache-control': THREAD_CACHE_CONTROL }, json: { counts: await countComments(ctx, site, threads) } };
      },
    },
    {
      method: 'POST',
      path: `${thread}/comments`,
      handle: async (req) => {
        const site = await findPublicSite(directory, req.params.site);
        requireOriginOf(site, req);
        const { thread: threadId } = parseOrThrow(threadParams, req.params, 'params');
        const headers = parseOrThrow(idempotencyHeader, req.headers, 'headers');
        const raw = await readJsonBody(req, bodyLimitBytes);
        // Limits before validation, so a flood of malformed bodies is limited too.
        const given = (raw as { email?: unknown } | undefined)?.email;
        const limitHeaders = await checkSubmitLimits({ ip: req.ip, siteId: site.id, email: typeof given === 'string' && given.length <= 254 ? given : undefined });
        if (limitHeaders) Object.assign(req.responseHeaders, limitHeaders);
        const body = parseOrThrow(submitBodySchema(site.settings.comments), raw, 'body');
        const result = await submitComment(ctx, {
          site,
          threadId,
          body,
          ip: req.ip,
          userAgent: userAgent(req),
          idempotencyKey: headers['idempotency-key'],
        });
        return { status: result.status, headers: result.replayed ? { ...NO_STORE, 'idempotent-replayed': 'true' } : NO_STORE, json: result.body };
      },
    },
  ];
}
