import type { Express } from 'express';
import { createBaseApp, finishApp, parseTrustProxy, tenancyRoutes, type Logger, type Metrics, type ReadinessCheck, type TenancyDirectory } from '@parley/shared';
import type { Config } from './config';

export interface AppDeps {
  config: Config;
  logger: Logger;
  metrics: Metrics;
  readiness: Record<string, ReadinessCheck>;
  directory: TenancyDirectory;
}

/** The cookie-consent HTTP app, without listening (tests start it on port 0). */
export function createApp(deps: AppDeps): Express {
  const app = createBaseApp({ ...deps, trustProxy: parseTrustProxy(deps.config.TRUST_PROXY) });
  app.use(tenancyRoutes(deps.directory, deps.logger));
  return finishApp(app, deps.logger);
}
