import type { RequestHandler } from 'express';
import { RateLimitedError, type Logger } from '@parley/shared';

const WINDOW_MS = 60_000;
const MAX_TRACKED = 50_000;

/**
 * Slows down key guessing: a client address with `limit` failed authentications (401) within a
 * minute is answered 429 until the minute is over. Counted per process; each instance limits
 * on its own, which bounds the total to limit × instances.
 */
export function authFailureLimit(limit: number, logger: Logger): RequestHandler {
  const failures = new Map<string, { since: number; n: number }>();
  return (req, res, next) => {
    const ip = req.ip ?? 'unknown';
    const now = Date.now();
    const entry = failures.get(ip);
    if (entry && now - entry.since < WINDOW_MS && entry.n >= limit) {
      return next(new RateLimitedError(Math.ceil((entry.since + WINDOW_MS - now) / 1000)));
    }
    res.on('finish', () => {
      if (res.statusCode !== 401) return;
      const at = Date.now();
      const e = failures.get(ip);
      if (!e || at - e.since >= WINDOW_MS) {
        if (failures.size >= MAX_TRACKED) failures.clear();
        failures.set(ip, { since: at, n: 1 });
      } else {
        e.n += 1;
        if (e.n === limit) logger.warn({ path: req.path, failures: e.n }, 'authentication failures rate-limited');
      }
    });
    next();
  };
}
