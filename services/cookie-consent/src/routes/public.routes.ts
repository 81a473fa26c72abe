import { Router } from 'express';
import { ipKeyGenerator, rateLimit } from 'express-rate-limit';
import { corsForSite, jsonOnly, loadSite, RateLimitedError, type TenancyDirectory } from '@parley/shared';
import type { BannerBundle } from '../banner/build-banner';
import type { UseCaseContext } from '../domain/context';
import { hashIp } from '../domain/client-info';
import { bannerManifestHandler } from '../handlers/banner.handler';
import { configHandlers } from '../handlers/config.handler';
import { consentsHandlers } from '../handlers/consents.handler';
import { jwksHandler } from '../handlers/jwks.handler';

export interface PublicRoutesOptions {
  ctx: UseCaseContext;
  directory: TenancyDirectory;
  banner: BannerBundle;
  ratePerMinute: number;
}

/** What browsers reach besides banner.js: the site's banner config, consent writes, the JWKS. */
export function publicRoutes({ ctx, directory, banner, ratePerMinute }: PublicRoutesOptions): Router {
  const router = Router();
  const config = configHandlers(ctx);
  const consents = consentsHandlers(ctx, directory);
  // Per instance, keyed by the hashed address (IPv6 by /56): a visitor clicking around never gets
  // near it, a script flooding the proof log does.
  const limiter = rateLimit({
    windowMs: 60_000,
    limit: ratePerMinute,
    standardHeaders: 'draft-8',
    legacyHeaders: false,
    keyGenerator: (req) => hashIp(ctx.ipHashKey, ipKeyGenerator(req.ip ?? 'unknown')),
    handler: (_req, _res, next, options) => next(new RateLimitedError(Math.ceil(options.windowMs / 1000))),
  });

  // banner.js itself is a fast route (app.ts).
  router.get('/banner.manifest.json', bannerManifestHandler(banner));
  router.get('/.well-known/jwks.json', jwksHandler(ctx.signer));
  router.get('/v1/sites/:site/consent/config', loadSite(directory), corsForSite, config.publicConfig);
  router.options('/v1/consents', consents.preflight);
  router.post('/v1/consents', limiter, ...jsonOnly('16kb'), consents.record);
  return router;
}
