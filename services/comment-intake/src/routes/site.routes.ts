import { Router } from 'express';
import { corsForSite, loadSite, siteOf, type TenancyDirectory } from '@parley/shared';

/** What the embedded widget reads before it renders: the site's public comment settings. */
export function siteRoutes(directory: TenancyDirectory): Router {
  const router = Router();
  router.get('/v1/sites/:site/settings', loadSite(directory), corsForSite, (_req, res) => {
    const site = siteOf(res);
    res.setHeader('Cache-Control', 'public, max-age=60');
    res.json({ id: site.id, name: site.name, status: site.status, comments: site.settings.comments });
  });
  return router;
}
