import { Router } from 'express';
import type { Logger } from '../logger';
import { corsPreflight, loadSite, principalOf, requireApiKey } from './auth.middleware';
import type { TenancyDirectory } from './directory';

/**
 * Routes every service that consumes the tenancy read model offers: `whoami` (an operator checks
 * that a key has reached this service) and CORS preflights for the site's browser routes.
 */
export function tenancyRoutes(directory: TenancyDirectory, logger: Logger): Router {
  const router = Router();
  router.get('/v1/whoami', requireApiKey(directory, logger), (_req, res) => {
    res.json(principalOf(res));
  });
  router.options('/v1/sites/:site/*rest', loadSite(directory), corsPreflight);
  return router;
}
