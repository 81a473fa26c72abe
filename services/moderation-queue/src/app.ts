import type { Express } from 'express';
import { createBaseApp, finishApp, parseTrustProxy, type Logger, type Metrics, type RateLimiter, type ReadinessCheck, type TenancyDirectory } from '@parley/shared';
import type { Config } from './config';
import type { UseCaseContext } from './domain/context';
import { QueueLiveHub } from './domain/queue-live-hub';
import { adminRoutes } from './routes/admin.routes';
import { authFailureLimit } from './routes/auth-failure-limit.middleware';
import { moderationRoutes } from './routes/moderation.routes';
import { openApiRoutes } from './routes/openapi.routes';

export interface AppDeps {
  config: Config;
  logger: Logger;
  metrics: Metrics;
  readiness: Record<string, ReadinessCheck>;
  ctx: UseCaseContext;
  directory: TenancyDirectory;
  /** The hub live-queue streams listen to (fed by the live channel); when absent, `ctx.live` if it is a hub itself. */
  liveHub?: QueueLiveHub;
  /** Counts failed authentications (shared by instances with Redis) and the key of its address hashes. */
  authFailures: { limiter: RateLimiter; hashKey: Buffer };
}

/** The moderation-queue HTTP app, without listening (tests start it on port 0). */
export function createApp(deps: AppDeps): Express {
  const app = createBaseApp({ ...deps, trustProxy: parseTrustProxy(deps.config.TRUST_PROXY) });
  app.use(openApiRoutes());
  app.use(authFailureLimit({ limit: deps.config.AUTH_FAILURES_PER_MINUTE, ...deps.authFailures, logger: deps.logger }));
  app.use(adminRoutes(deps.ctx, deps.directory, deps.logger));
  app.use(moderationRoutes(deps.ctx, deps.directory, deps.logger, deps.liveHub ?? liveHubOf(deps.ctx), deps.config.LIVE_HEARTBEAT_MS));
  return finishApp(app, deps.logger);
}

function liveHubOf(ctx: UseCaseContext): QueueLiveHub {
  if (ctx.live instanceof QueueLiveHub) return ctx.live;
  return new QueueLiveHub();
}
