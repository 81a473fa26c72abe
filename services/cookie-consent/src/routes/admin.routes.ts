import { Router } from 'express';
import { jsonOnly, loadSite, requireApiKey, requireSiteAccess, type Logger, type TenancyDirectory } from '@parley/shared';
import type { UseCaseContext } from '../domain/context';
import { configHandlers } from '../handlers/config.handler';
import { recordsHandlers } from '../handlers/records.handler';
import { statsHandlers } from '../handlers/stats.handler';

/** The operators' consent API: admin keys from the read model, scoped to their sites. */
export function adminRoutes(ctx: UseCaseContext, directory: TenancyDirectory, logger: Logger): Router {
  const router = Router();
  const site = [requireApiKey(directory, logger, ['admin']), loadSite(directory), requireSiteAccess];
  const config = configHandlers(ctx);
  const records = recordsHandlers(ctx);
  const stats = statsHandlers(ctx);
  const base = '/v1/admin/sites/:site/consent';

  router.get(`${base}/config`, ...site, config.getCurrent);
  router.put(`${base}/config`, ...site, ...jsonOnly('256kb'), config.publish);
  router.get(`${base}/config/revisions`, ...site, config.listRevisions);
  router.get(`${base}/config/revisions/:revision`, ...site, config.getRevision);
  router.get(`${base}/chain/verify`, ...site, records.verify);
  router.get(`${base}/records/export`, ...site, records.exportRange);
  router.get(`${base}/records/by-consent/:consentId`, ...site, records.history);
  router.get(`${base}/stats/daily`, ...site, stats.daily);
  return router;
}
