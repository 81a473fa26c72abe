import { createHmac } from 'node:crypto';
import type { RequestHandler } from 'express';
import { RateLimitedError, type Logger, type RateLimiter } from '@parley/shared';

const WINDOW_MS = 60_000;
const MAX_TRACKED = 50_000;

export interface AuthFailureLimitOptions {
  /** Failed authentications (401) per client address and minute before 429s. */
  limit: number;
  /** Counts failures; with Redis it is shared by every instance. */
  limiter: RateLimiter;
  /** Keys the address hash, so no counter name reveals an IP. */
  hashKey: Buffer;
  logger: Logger;
}

/**
 * Slows down key guessing: a client address with `limit` failed authentications (401) within a
 * minute is answered 429 until the minute is over. Each failure is counted here at once (so the
 * very next request is already refused) and in the shared limiter, so failures spread over several
 * instances add up too; an instance learns of a shared block when the count comes back.
 */
export function authFailureLimit({ limit, limiter, hashKey, logger }: AuthFailureLimitOptions): RequestHandler {
  const local = new Map<string, { since: number; n: number; blockedUntil?: number }>();
  const entry = (ip: string, now: number) => {
    let e = local.get(ip);
    if (!e || (now - e.since >= WINDOW_MS && (e.blockedUntil ?? 0) <= now)) {
      if (local.size >= MAX_TRACKED) local.clear();
      e = { since: now, n: 0 };
      local.set(ip, e);
    }
    return e;
  };
  const block = (ip: string, until: number, path: string) => {
    const e = entry(ip, Date.now());
    if ((e.blockedUntil ?? 0) < Date.now()) logger.warn({ path }, 'authentication failures rate-limited');
    e.blockedUntil = Math.max(e.blockedUntil ?? 0, until);
  };
  return (req, res, next) => {
    const ip = req.ip ?? 'unknown';
    const now = Date.now();
    const until = local.get(ip)?.blockedUntil ?? 0;
    if (until > now) return next(new RateLimitedError(Math.ceil((until - now) / 1000)));
    res.on('finish', () => {
      if (res.statusCode !== 401) return;
      const at = Date.now();
      const e = entry(ip, at);
      e.n += 1;
      if (e.n >= limit) block(ip, e.since + WINDOW_MS, req.path);
      const key = createHmac('sha256', hashKey).update(ip).digest('base64url');
      limiter.check([{ name: 'auth', key, limit }]).then(
        (d) => {
          if (d.remaining === 0) block(ip, Date.now() + Math.max(1, d.resetAfterS ?? 60) * 1000, req.path);
        },
        () => undefined, // the limiter fails open and logs; the local count still holds
      );
    });
    next();
  };
}
