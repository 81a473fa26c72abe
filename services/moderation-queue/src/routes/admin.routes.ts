import { Router } from 'express';
import {
  jsonOnly,
  loadSite,
  principalOf,
  requireApiKey,
  requireSiteAccess,
  type Logger,
  type TenancyDirectory,
} from '@parley/shared';
import type { UseCaseContext } from '../domain/context';
import { apiKeysHandlers } from '../handlers/api-keys.handler';
import { sitesHandlers } from '../handlers/sites.handler';

/** The operators' API: sites and API keys (admin role). */
export function adminRoutes(ctx: UseCaseContext, directory: TenancyDirectory, logger: Logger): Router {
  const router = Router();
  const anyKey = requireApiKey(directory, logger);
  const admin = requireApiKey(directory, logger, ['admin']);
  const sites = sitesHandlers(ctx);
  const keys = apiKeysHandlers(ctx);
  const site = [admin, loadSite(directory), requireSiteAccess];

  router.get('/v1/whoami', anyKey, (_req, res) => {
    res.json(principalOf(res));
  });
  router.get('/v1/admin/sites', admin, sites.list);
  router.post('/v1/admin/sites', admin, ...jsonOnly(), sites.create);
  router.get('/v1/admin/sites/:site', ...site, sites.get);
  router.patch('/v1/admin/sites/:site', ...site, ...jsonOnly(), sites.update);
  router.get('/v1/admin/keys', admin, keys.list);
  router.post('/v1/admin/keys', admin, ...jsonOnly(), keys.create);
  router.delete('/v1/admin/keys/:id', admin, keys.revoke);
  return router;
}
