import type { Express } from 'express';
import { createBaseApp, finishApp, parseTrustProxy, type Logger, type Metrics, type ReadinessCheck, type TenancyDirectory } from '@parley/shared';
import type { Config } from './config';
import type { UseCaseContext } from './domain/context';
import { adminRoutes } from './routes/admin.routes';

export interface AppDeps {
  config: Config;
  logger: Logger;
  metrics: Metrics;
  readiness: Record<string, ReadinessCheck>;
  ctx: UseCaseContext;
  directory: TenancyDirectory;
}

/** The moderation-queue HTTP app, without listening (tests start it on port 0). */
export function createApp(deps: AppDeps): Express {
  const app = createBaseApp({ ...deps, trustProxy: parseTrustProxy(deps.config.TRUST_PROXY) });
  app.use(adminRoutes(deps.ctx, deps.directory, deps.logger));
  return finishApp(app, deps.logger);
}
