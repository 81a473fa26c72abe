import type { Request, RequestHandler } from 'express';
import { rateLimit, type Options } from 'express-rate-limit';
import { RedisStore, type RedisReply } from 'rate-limit-redis';
import type { Redis } from 'ioredis';
import { RateLimitedError, siteOf, type Logger } from '@parley/shared';
import type { Privacy } from '../domain/privacy';

/** Shared by the stores of one Redis connection: after a failure, Redis is skipped for a second. */
class Breaker {
  private openUntil = 0;
  get open(): boolean {
    return Date.now() < this.openUntil;
  }
  trip(): void {
    this.openUntil = Date.now() + 1_000;
  }
}

/**
 * rate-limit-redis loads its scripts once, at start-up; if Redis is away then, the stored promise
 * stays rejected for good. This store reloads them after a failure, so limits resume when Redis
 * returns. Meanwhile the limiter lets requests through (passOnStoreError): a Redis outage must
 * not stop intake from accepting comments, nor slow every request down by a timeout (the breaker).
 */
class ResilientRedisStore extends RedisStore {
  constructor(
    options: ConstructorParameters<typeof RedisStore>[0],
    private readonly breaker: Breaker,
  ) {
    super(options);
  }

  override async init(options: Options): Promise<void> {
    await super.init(options);
    this.incrementScriptSha.catch(() => undefined);
    this.getScriptSha.catch(() => undefined);
  }

  override async increment(key: string) {
    if (this.breaker.open) throw new Error('rate-limit store skipped: Redis failed within the last second');
    try {
      return await super.increment(key);
    } catch (err) {
      this.breaker.trip();
      this.incrementScriptSha = this.loadIncrementScript();
      this.incrementScriptSha.catch(() => undefined);
      throw err;
    }
  }
}

export interface RateLimitDeps {
  privacy: Privacy;
  /** A connection for the counters (offline queue off: fail fast while Redis is down); memory when absent. */
  redis?: Redis;
  keyPrefix: string;
  perMinute: { ip: number; email: number; site: number };
  logger: Logger;
}

/** express-rate-limit reports every store failure; during an outage one line per 10 s is plenty. */
function throttledLogger(logger: Logger): Options['logger'] {
  let lastAt = 0;
  let suppressed = 0;
  const log = (level: 'warn' | 'error') => (err: unknown, message?: string) => {
    const now = Date.now();
    if (now - lastAt < 10_000) {
      suppressed += 1;
      return;
    }
    lastAt = now;
    const e = err instanceof Error ? { name: err.name, message: err.message } : { message: String(err) };
    logger[level]({ err: e, suppressed }, message);
    suppressed = 0;
  };
  return { warn: log('warn'), error: log('error') };
}

/** IPv6 clients usually hold a whole /64: count them by it, or a client could rotate addresses. */
function clientNetwork(ip: string): string {
  if (!ip.includes(':') || /^::ffff:\d+\./i.test(ip)) return ip;
  return ip.split(':').slice(0, 4).join(':');
}

const breakers = new WeakMap<Redis, Breaker>();

function limiter(deps: RateLimitDeps, name: string, limit: number, key: (req: Request) => string | undefined): RequestHandler {
  if (limit <= 0) return (_req, _res, next) => next();
  const redis = deps.redis;
  let breaker = redis && breakers.get(redis);
  if (redis && !breaker) {
    breaker = new Breaker();
    breakers.set(redis, breaker);
  }
  const store =
    redis && breaker
      ? new ResilientRedisStore(
          {
            sendCommand: (command: string, ...args: string[]) => redis.call(command, ...args) as Promise<RedisReply>,
            prefix: `${deps.keyPrefix}intake:rl:${name}:`,
          },
          breaker,
        )
      : undefined;
  return rateLimit({
    windowMs: 60_000,
    limit,
    standardHeaders: 'draft-8',
    legacyHeaders: false,
    identifier: name,
    passOnStoreError: true,
    // Buckets are keyed hashes, never raw IPs or emails; express-rate-limit's IP checks do not apply.
    validate: false,
    logger: throttledLogger(deps.logger),
    skip: (req) => key(req) === undefined,
    keyGenerator: (req) => key(req) ?? '',
    ...(store ? { store } : {}),
    handler: (req, _res, next) => {
      const reset = (req as Request & { rateLimit?: { resetTime?: Date } }).rateLimit?.resetTime;
      next(new RateLimitedError(Math.max(1, Math.ceil(((reset?.getTime() ?? Date.now() + 60_000) - Date.now()) / 1000))));
    },
  });
}

/** Per hashed client network, per site (before the body is read), and per email hash (after). */
export function submitRateLimits(deps: RateLimitDeps): { beforeBody: RequestHandler[]; afterBody: RequestHandler[] } {
  const ip = limiter(deps, 'ip', deps.perMinute.ip, (req) => deps.privacy.ipHash(clientNetwork(req.ip ?? 'unknown')));
  const site = limiter(deps, 'site', deps.perMinute.site, (req) => siteOf(req.res!).id);
  const email = limiter(deps, 'email', deps.perMinute.email, (req) => {
    const given = (req.body as { email?: unknown } | undefined)?.email;
    return typeof given === 'string' && given.length <= 254 ? deps.privacy.emailHash(given) : undefined;
  });
  return { beforeBody: [ip, site], afterBody: [email] };
}

/** Reports use the per-network limit too (a separate bucket). */
export function reportRateLimit(deps: RateLimitDeps): RequestHandler {
  return limiter(deps, 'report', deps.perMinute.ip, (req) => deps.privacy.ipHash(clientNetwork(req.ip ?? 'unknown')));
}
