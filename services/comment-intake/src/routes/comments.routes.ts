import { Router } from 'express';
import { corsForSite, corsPreflight, jsonOnly, loadSite, requireAllowedOrigin, requireApiKey, requireSiteAccess, type Logger, type TenancyDirectory } from '@parley/shared';
import type { IntakeContext } from '../domain/context';
import { siteOfComment } from '../domain/author-comment';
import { commentsHandlers, loadCommentSite } from '../handlers/comments.handler';
import { liveHandler } from '../handlers/live.handler';
import { privacyHandlers } from '../handlers/privacy.handler';
import { reportRateLimit, type RateLimitDeps } from './rate-limit.middleware';

/**
 * The public comment API the widget talks to, besides the hot routes in fast.routes.ts (form token,
 * thread page, counts, settings, submit). Writes check the Origin before anything is read or stored.
 */
export function commentsRoutes(ctx: IntakeContext, directory: TenancyDirectory, limits: RateLimitDeps, logger: Logger): Router {
  const router = Router();
  const h = commentsHandlers(ctx);
  const site = loadSite(directory);
  const commentSite = loadCommentSite(ctx, (id) => siteOfComment(ctx, id));
  const thread = '/v1/sites/:site/threads/:thread';

  router.get(`${thread}/events`, site, corsForSite, liveHandler(ctx.live));

  router.options(['/v1/comments/:id', '/v1/comments/:id/reports', '/v1/comments/:id/export', '/v1/comments/:id/erase'], commentSite, corsPreflight);
  router.get('/v1/comments/:id', commentSite, corsForSite, h.viewOwn);
  router.delete('/v1/comments/:id', commentSite, requireAllowedOrigin, h.deleteOwn);
  router.post('/v1/comments/:id/reports', commentSite, requireAllowedOrigin, reportRateLimit(limits), ...jsonOnly('4kb'), h.report);

  // Privacy requests (DESIGN §7): a reader exports or erases a comment of theirs; an operator exports
  // or erases everything one email wrote on a site.
  const privacy = privacyHandlers(ctx);
  router.get('/v1/comments/:id/export', commentSite, corsForSite, privacy.readerExport);
  router.post('/v1/comments/:id/erase', commentSite, requireAllowedOrigin, privacy.readerErase);
  router.post('/v1/admin/sites/:site/privacy-requests', requireApiKey(directory, logger, ['admin']), site, requireSiteAccess, ...jsonOnly('4kb'), privacy.operatorRequest);
  return router;
}
