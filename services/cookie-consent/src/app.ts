import {
  createBaseApp,
  finishApp,
  parseTrustProxy,
  tenancyRoutes,
  withFastRoutes,
  type HttpApp,
  type RateLimiter,
  type Logger,
  type Metrics,
  type ReadinessCheck,
  type TenancyDirectory,
} from '@parley/shared';
import type { BannerBundle } from './banner/build-banner';
import type { Config } from './config';
import type { UseCaseContext } from './domain/context';
import { bannerScriptRoutes } from './handlers/banner.handler';
import { consentWriteRoute } from './handlers/consents.handler';
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
  /** Counters of the consent-write limit (Redis when configured, shared by every instance). */
  limiter: RateLimiter;
}

/** The cookie-consent HTTP app, without listening (tests start it on port 0). */
export function createApp(deps: AppDeps): HttpApp {
  const trustProxy = parseTrustProxy(deps.config.TRUST_PROXY);
  const app = createBaseApp({ ...deps, trustProxy });
  app.use(publicRoutes({ ctx: deps.ctx, directory: deps.directory, banner: deps.banner }));
  app.use(adminRoutes(deps.ctx, deps.directory, deps.logger));
  app.use(openApiRoutes());
  app.use(tenancyRoutes(deps.directory, deps.logger));
  finishApp(app, deps.logger);
  // The routes every page view hits skip the Express stack (ADR 0013).
  const hot = [
    ...bannerScriptRoutes(deps.banner),
    consentWriteRoute({ ctx: deps.ctx, directory: deps.directory, limiter: deps.limiter, perMinute: deps.config.CONSENT_RATE_LIMIT_PER_MINUTE }),
  ];
  return withFastRoutes(app, hot, { metrics: deps.metrics, logger: deps.logger, trustProxy });
}
