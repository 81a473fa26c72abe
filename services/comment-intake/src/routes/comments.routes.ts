import { Router } from 'express';
import {
  corsForSite,
  corsPreflight,
  jsonOnly,
  loadSite,
  requireAllowedOrigin,
  type TenancyDirectory,
} from '@parley/shared';
import type { IntakeContext } from '../domain/context';
import { siteOfComment } from '../domain/author-comment';
import { commentsHandlers, loadCommentSite } from '../handlers/comments.handler';
import { liveHandler } from '../handlers/live.handler';
import { reportRateLimit, submitRateLimits, type RateLimitDeps } from './rate-limit.middleware';

/** The public comment API the widget talks to. Writes check the Origin before anything is read or stored. */
export function commentsRoutes(ctx: IntakeContext, directory: TenancyDirectory, limits: RateLimitDeps, bodyLimit: string): Router {
  const router = Router();
  const h = commentsHandlers(ctx);
  const site = loadSite(directory);
  const commentSite = loadCommentSite(ctx, (id) => siteOfComment(ctx, id));
  const submitLimits = submitRateLimits(limits);
  const thread = '/v1/sites/:site/threads/:thread';

  router.get(`${thread}/form-token`, site, corsForSite, h.formToken);
  router.get(`${thread}/comments`, site, corsForSite, h.list);
  router.post(`${thread}/comments`, site, requireAllowedOrigin, ...submitLimits.beforeBody, ...jsonOnly(bodyLimit), ...submitLimits.afterBody, h.submit);
  router.get(`${thread}/events`, site, corsForSite, liveHandler(ctx.live));
  router.get('/v1/sites/:site/counts', site, corsForSite, h.counts);

  router.options(['/v1/comments/:id', '/v1/comments/:id/reports'], commentSite, corsPreflight);
  router.get('/v1/comments/:id', commentSite, corsForSite, h.viewOwn);
  router.delete('/v1/comments/:id', commentSite, requireAllowedOrigin, h.deleteOwn);
  router.post('/v1/comments/:id/reports', commentSite, requireAllowedOrigin, reportRateLimit(limits), ...jsonOnly('4kb'), h.report);
  return router;
}
