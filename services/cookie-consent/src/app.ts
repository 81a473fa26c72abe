import type { Express } from 'express';
import { createBaseApp, finishApp, parseTrustProxy, tenancyRoutes, type Logger, type Metrics, type ReadinessCheck, type TenancyDirectory } from '@parley/shared';
import type { BannerBundle } from './banner/build-banner';
import type { Config } from './config';
import type { UseCaseContext } from './domain/context';
import { adminRoutes } from './routes/admin.routes';
import { openApiRoutes } from './routes/openapi.routes';
import { publicRoutes } from './routes/public.routes';

export interface AppDeps {
  config: Config;
  logger: Logger;
  metrics: Metrics;
  readiness: Record<string, ReadinessCheck>;
  directory: TenancyDirectory;
  ctx: UseCaseContext;
  banner: BannerBundle;
}

/** The cookie-consent HTTP app, without listening (tests start it on port 0). */
export function createApp(deps: AppDeps): Express {
  const app = createBaseApp({ ...deps, trustProxy: parseTrustProxy(deps.config.TRUST_PROXY) });
  app.use(publicRoutes({ ctx: deps.ctx, directory: deps.directory, banner: deps.banner, ratePerMinute: deps.config.CONSENT_RATE_LIMIT_PER_MINUTE }));
  app.use(adminRoutes(deps.ctx, deps.directory, deps.logger));
  app.use(openApiRoutes());
  app.use(tenancyRoutes(deps.directory, deps.logger));
  return finishApp(app, deps.logger);
}
