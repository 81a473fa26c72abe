import type { ErrorRequestHandler } from 'express';
import {
  ServiceUnavailableError,
  createBaseApp,
  finishApp,
  isDatabaseUnavailable,
  parseTrustProxy,
  tenancyRoutes,
  withFastRoutes,
  parseByteLimit,
  type HttpApp,
  type Logger,
  type Metrics,
  type ReadinessCheck,
  type TenancyDirectory,
} from '@parley/shared';
import type { Config } from './config';
import type { IntakeContext } from './domain/context';
import { commentsRoutes } from './routes/comments.routes';
import { fastRoutes } from './routes/fast.routes';
import { openApiRoutes } from './routes/openapi.routes';
import { submitLimitChecker, type RateLimitDeps } from './routes/rate-limit.middleware';
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
const asUnavailable = (err: unknown) =>
  isDatabaseUnavailable(err) ? new ServiceUnavailableError('The comment store is unavailable; try again shortly.', err) : err;
const databaseUnavailable: ErrorRequestHandler = (err, _req, _res, next) => next(asUnavailable(err));

/** The comment-intake HTTP app, without listening (tests start it on port 0). */
export function createApp(deps: AppDeps): HttpApp {
  const trustProxy = parseTrustProxy(deps.config.TRUST_PROXY);
  const app = createBaseApp({ ...deps, trustProxy });
  app.use(openApiRoutes());
  if (deps.widget) app.use(widgetRoutes(deps.widget));
  app.use(tenancyRoutes(deps.directory, deps.logger));
  app.use(commentsRoutes(deps.ctx, deps.directory, deps.limits, deps.logger));
  app.use(databaseUnavailable);
  finishApp(app, deps.logger);
  // What every page view and every comment hits skips the Express stack (ADR 0013).
  const hot = fastRoutes({
    ctx: deps.ctx,
    directory: deps.directory,
    checkSubmitLimits: submitLimitChecker(deps.limits),
    bodyLimitBytes: parseByteLimit(deps.config.BODY_LIMIT),
  });
  return withFastRoutes(app, hot, { metrics: deps.metrics, logger: deps.logger, trustProxy, mapError: asUnavailable });
}
