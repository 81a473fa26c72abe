import express, { type Express, type RequestHandler } from 'express';
import helmet from 'helmet';
import { healthRoutes, type ReadinessCheck } from '../http/health.routes';
import { httpMetrics } from '../http/metrics.middleware';
import { problemMiddleware, routeNotFound } from '../http/problem.middleware';
import { requestId } from '../http/request-id.middleware';
import type { Logger } from '../logger';
import type { Metrics } from '../metrics';

export interface BaseAppOptions {
  logger: Logger;
  metrics: Metrics;
  readiness: Record<string, ReadinessCheck>;
  trustProxy: boolean | number | string;
}

/**
 * The frame every service's app starts from: request ids, security headers, metrics and health
 * routes. The service mounts its routes, then calls `finishApp` for 404s and problem details.
 */
export function createBaseApp(options: BaseAppOptions): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false); // routes that want ETags compute their own, cheaper and stable
  // Without this a client could pick its own rate-limit bucket with a forged X-Forwarded-For.
  app.set('trust proxy', options.trustProxy);
  app.use(requestId);
  app.use(helmet() as RequestHandler);
  app.use(httpMetrics(options.metrics));
  app.use(healthRoutes(options.readiness, options.metrics));
  return app;
}

export function finishApp(app: Express, logger: Logger): Express {
  app.use(routeNotFound);
  app.use(problemMiddleware(logger));
  return app;
}
