import type { RequestHandler } from 'express';
import type { Redis } from 'ioredis';
import { RateLimitedError, createRateLimiter, siteOf, type Logger, type RateLimitBucket, type RateLimitDecision, type RateLimiter } from '@parley/shared';
import type { Privacy } from '../domain/privacy';

export interface RateLimitDeps {
  privacy: Privacy;
  /** A connection for the counters (offline queue off: fail fast while Redis is down); memory when absent. */
  redis?: Redis;
  keyPrefix: string;
  perMinute: { ip: number; email: number; site: number };
  logger: Logger;
  /** Built by service.ts; made from the fields above when absent (one per deps object). */
  limiter?: RateLimiter;
}

const limiters = new WeakMap<RateLimitDeps, RateLimiter>();

function limiterOf(deps: RateLimitDeps): RateLimiter {
  if (deps.limiter) return deps.limiter;
  let l = limiters.get(deps);
  if (!l) {
    l = createRateLimiter({ redis: deps.redis, keyPrefix: `${deps.keyPrefix}intake:rl:`, logger: deps.logger });
    limiters.set(deps, l);
  }
  return l;
}

/** IPv6 clients usually hold a whole /64: count them by it, or a client could rotate addresses. */
function clientNetwork(ip: string): string {
  if (!ip.includes(':') || /^::ffff:\d+\./i.test(ip)) return ip;
  return ip.split(':').slice(0, 4).join(':');
}

export interface SubmitLimitInput {
  /** The client address after the trust-proxy setting. */
  ip: string;
  siteId: string;
  /** The submitted email, if any (any string: only a plausible address gets a bucket). */
  email?: unknown;
}

/**
 * The submit route's limits in one round trip: per hashed client network, per site, per email
 * hash, counted in that order (a client refused by its own bucket does not spend the site's).
 * Buckets are keyed hashes, never raw IPs or emails. The caller copies `headers` onto the answer
 * and, when `!allowed`, answers `refusal(decision)` (429 with Retry-After).
 */
export function submitLimitCheck(deps: RateLimitDeps, input: SubmitLimitInput): Promise<RateLimitDecision> {
  const buckets: RateLimitBucket[] = [
    { name: 'ip', key: deps.privacy.ipHash(clientNetwork(input.ip)), limit: deps.perMinute.ip },
    { name: 'site', key: input.siteId, limit: deps.perMinute.site },
  ];
  if (typeof input.email === 'string' && input.email.length <= 254) buckets.push({ name: 'email', key: deps.privacy.emailHash(input.email), limit: deps.perMinute.email });
  return limiterOf(deps).check(buckets);
}

/**
 * For the fast routes: resolves to the headers to send with the answer, or rejects with a 429
 * RateLimitedError that carries them too (with Retry-After). One Redis round trip.
 */
export function submitLimitChecker(deps: RateLimitDeps): (who: SubmitLimitInput) => Promise<Record<string, string> | undefined> {
  return async (who) => {
    const d = await submitLimitCheck(deps, who);
    if (!d.allowed) throw refusal(d);
    return d.headers.RateLimit ? d.headers : undefined;
  };
}

/** 429 problem details with Retry-After and the RateLimit headers of the refusing check. */
export function refusal(d: RateLimitDecision): RateLimitedError {
  const err = new RateLimitedError(d.retryAfterS);
  return Object.assign(err, { headers: { ...d.headers, ...err.headers } });
}

/** Reader reports: the per-network limit, in a bucket of their own. */
export function reportLimitCheck(deps: RateLimitDeps, input: { ip: string }): Promise<RateLimitDecision> {
  return limiterOf(deps).check([{ name: 'report', key: deps.privacy.ipHash(clientNetwork(input.ip)), limit: deps.perMinute.ip }]);
}

/** Express adapter: the headers on every answer, 429 problem details with Retry-After when refused. */
function middleware(check: (req: Parameters<RequestHandler>[0], res: Parameters<RequestHandler>[1]) => Promise<RateLimitDecision>): RequestHandler {
  return (req, res, next) => {
    check(req, res).then((d) => {
      for (const [name, value] of Object.entries(d.headers)) res.setHeader(name, value);
      next(d.allowed ? undefined : refusal(d));
    }, next);
  };
}

/**
 * All submit limits are checked once the body is parsed (the email bucket needs it), in one round
 * trip; `beforeBody` is kept empty for the routes that still spread it.
 */
export function submitRateLimits(deps: RateLimitDeps): { beforeBody: RequestHandler[]; afterBody: RequestHandler[] } {
  const check = middleware((req, res) =>
    submitLimitCheck(deps, { ip: req.ip ?? 'unknown', siteId: siteOf(res).id, email: (req.body as { email?: unknown } | undefined)?.email }),
  );
  return { beforeBody: [], afterBody: [check] };
}

export function reportRateLimit(deps: RateLimitDeps): RequestHandler {
  return middleware((req) => reportLimitCheck(deps, { ip: req.ip ?? 'unknown' }));
}
