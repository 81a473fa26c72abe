import { Router } from 'express';
import { corsForSite, loadSite, type TenancyDirectory } from '@parley/shared';
import type { BannerBundle } from '../banner/build-banner';
import type { UseCaseContext } from '../domain/context';
import { bannerManifestHandler } from '../handlers/banner.handler';
import { configHandlers } from '../handlers/config.handler';
import { consentPreflight } from '../handlers/consents.handler';
import { jwksHandler } from '../handlers/jwks.handler';
import { recordsHandlers } from '../handlers/records.handler';

export interface PublicRoutesOptions {
  ctx: UseCaseContext;
  directory: TenancyDirectory;
  banner: BannerBundle;
}

/** What browsers reach besides banner.js and consent writes: the site's banner config, a visitor's own records, the JWKS, preflights. */
export function publicRoutes({ ctx, directory, banner }: PublicRoutesOptions): Router {
  const router = Router();
  const config = configHandlers(ctx);
  // banner.js and POST /v1/consents are fast routes (app.ts).
  router.get('/banner.manifest.json', bannerManifestHandler(banner));
  router.get('/.well-known/jwks.json', jwksHandler(ctx.db, ctx.signer));
  router.get('/v1/sites/:site/consent/config', loadSite(directory), corsForSite, config.publicConfig);
  router.get('/v1/sites/:site/consents/:consentId', loadSite(directory), corsForSite, recordsHandlers(ctx).visitorHistory);
  router.options('/v1/consents', consentPreflight);
  return router;
}
