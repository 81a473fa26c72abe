import type { ErrorRequestHandler, Express } from 'express';
import {
  ServiceUnavailableError,
  createBaseApp,
  finishApp,
  isDatabaseUnavailable,
  parseTrustProxy,
  tenancyRoutes,
  type Logger,
  type Metrics,
  type ReadinessCheck,
  type TenancyDirectory,
} from '@parley/shared';
import type { Config } from './config';
import type { IntakeContext } from './domain/context';
import { commentsRoutes } from './routes/comments.routes';
import { openApiRoutes } from './routes/openapi.routes';
import type { RateLimitDeps } from './routes/rate-limit.middleware';
import { siteRoutes } from './routes/site.routes';
import { widgetRoutes, type WidgetBuild } from './widget';

export interface AppDeps {
  config: Config;
  logger: Logger;
  metrics: Metrics;
  readiness: Record<string, ReadinessCheck>;
  directory: TenancyDirectory;
  ctx: IntakeContext;
  limits: RateLimitDeps;
  /** The built embed.js; optional so component tests of the API need not build it. */
  widget?: WidgetBuild;
}

/** Postgres unreachable → 503 with Retry-After, never a 500 (and never a 202 before commit). */
const databaseUnavailable: ErrorRequestHandler = (err, _req, _res, next) => {
  next(isDatabaseUnavailable(err) ? new ServiceUnavailableError('The comment store is unavailable; try again shortly.', err) : err);
};

/** The comment-intake HTTP app, without listening (tests start it on port 0). */
export function createApp(deps: AppDeps): Express {
  const app = createBaseApp({ ...deps, trustProxy: parseTrustProxy(deps.config.TRUST_PROXY) });
  app.use(openApiRoutes());
  if (deps.widget) app.use(widgetRoutes(deps.widget));
  app.use(tenancyRoutes(deps.directory, deps.logger));
  app.use(siteRoutes(deps.directory));
  app.use(commentsRoutes(deps.ctx, deps.directory, deps.limits, deps.config.BODY_LIMIT));
  app.use(databaseUnavailable);
  return finishApp(app, deps.logger);
}
