import { Router } from 'express';
import { jsonOnly, loadSite, requireApiKey, requireSiteAccess, type Logger, type TenancyDirectory } from '@parley/shared';
import type { UseCaseContext } from '../domain/context';
import type { QueueLiveHub } from '../domain/queue-live-hub';
import { authorsHandlers } from '../handlers/authors.handler';
import { liveQueueHandler } from '../handlers/live-queue.handler';
import { moderationHandlers } from '../handlers/moderation.handler';
import { policyHandlers } from '../handlers/policy.handler';
import { threadsHandlers } from '../handlers/threads.handler';
import { webhooksHandlers } from '../handlers/webhooks.handler';

/** The moderators' API: every route is scoped to one site the key holds (`admin` or `moderator`). */
export function moderationRoutes(ctx: UseCaseContext, directory: TenancyDirectory, logger: Logger, live: QueueLiveHub, heartbeatMs: number): Router {
  const router = Router();
  const site = [requireApiKey(directory, logger), loadSite(directory), requireSiteAccess];
  const admin = [requireApiKey(directory, logger, ['admin']), loadSite(directory), requireSiteAccess];
  const m = moderationHandlers(ctx);
  const a = authorsHandlers(ctx);
  const p = policyHandlers(ctx);
  const w = webhooksHandlers(ctx);
  const t = threadsHandlers(ctx);
  const base = '/v1/sites/:site';

  router.get(`${base}/queue`, ...site, m.queue);
  router.get(`${base}/queue/counts`, ...site, m.counts);
  router.get(`${base}/queue/live`, ...site, liveQueueHandler(live, heartbeatMs));
  router.get(`${base}/comments/:id`, ...site, m.get);
  router.post(`${base}/comments/:id/decisions`, ...site, ...jsonOnly(), m.decide);
  router.post(`${base}/decisions`, ...site, ...jsonOnly('512kb'), m.bulk);
  router.get(`${base}/authors/:author`, ...site, a.get);
  router.put(`${base}/authors/:author/ban`, ...site, ...jsonOnly(), a.ban);
  router.delete(`${base}/authors/:author/ban`, ...site, a.unban);
  router.put(`${base}/authors/:author/trust`, ...site, a.trust);
  router.delete(`${base}/authors/:author/trust`, ...site, a.distrust);
  router.get(`${base}/word-lists`, ...site, p.getWords);
  router.put(`${base}/word-lists`, ...site, ...jsonOnly('1mb'), p.putWords);
  router.get(`${base}/moderation-settings`, ...site, p.getSettings);
  router.put(`${base}/moderation-settings`, ...admin, ...jsonOnly(), p.putSettings);
  router.get(`${base}/webhooks`, ...admin, w.list);
  router.post(`${base}/webhooks`, ...admin, ...jsonOnly(), w.create);
  router.delete(`${base}/webhooks/:id`, ...admin, w.remove);
  router.get(`${base}/stats`, ...site, w.stats);
  router.put(`${base}/threads/:thread/closed`, ...site, t.close);
  router.delete(`${base}/threads/:thread/closed`, ...site, t.reopen);
  router.get(`${base}/audit`, ...admin, t.audit);
  return router;
}
