import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { Logger } from '../logger';

/**
 * One counter of a request: `key` is already a keyed hash (never a raw IP or email) or a public id
 * such as a site id. A `limit` of 0 or less switches the bucket off.
 */
export interface RateLimitBucket {
  /** Shown to clients in the RateLimit headers, e.g. `ip`, `site`, `email`. */
  name: string;
  key: string;
  limit: number;
}

export interface RateLimitDecision {
  allowed: boolean;
  /** Seconds until the refusing bucket's window ends (≥ 1 when refused, 0 when allowed). */
  retryAfterS: number;
  /** The name of the bucket that refused, when refused. */
  refusedBy?: string;
  /** Requests left in the tightest counted bucket's window (undefined when nothing was counted). */
  remaining?: number;
  /** Seconds until that bucket's window ends. */
  resetAfterS?: number;
  /**
   * IETF draft-8 headers (`RateLimit-Policy`, `RateLimit`) for the buckets counted; empty while the
   * counter store is unavailable (the request is let through uncounted).
   */
  headers: Record<string, string>;
}

export interface RateLimiterOptions {
  /**
   * Counters shared by every instance. Use a connection with the offline queue off and a short
   * command timeout, so an outage fails fast. Absent → counters in this process's memory.
   */
  redis?: Redis;
  /** Prepended to every Redis key, e.g. `<REDIS_KEY_PREFIX>intake:rl:`. */
  keyPrefix: string;
  logger: Logger;
  /** Fixed window length (default 60 s). */
  windowMs?: number;
  /** After a Redis failure, Redis is skipped (requests pass) for this long (default 1 s). */
  breakerMs?: number;
  /** At most one warning per this interval while Redis fails (default 10 s). */
  logEveryMs?: number;
}

/**
 * Counts every bucket of every queued request in one script call: for each request, buckets are
 * incremented in order and counting stops at the first one over its limit, so a client refused by
 * its own bucket does not use up the shared ones behind it (a flood from one address cannot spend
 * a site's budget). Fixed windows: a counter expires `window` ms after its first hit.
 *
 * KEYS: every bucket key of every request, in order.
 * ARGV: window ms, then per request: its bucket count n, then its n limits.
 * Returns per bucket a pair (count, ms left in the window); (-1, 0) for a bucket not counted.
 */
export const RATE_LIMIT_SCRIPT = `
local window = tonumber(ARGV[1])
local out = {}
local k = 1
local a = 2
while a <= #ARGV do
  local n = tonumber(ARGV[a])
  a = a + 1
  local stopped = false
  for i = 1, n do
    local limit = tonumber(ARGV[a])
    a = a + 1
    local key = KEYS[k]
    k = k + 1
    if stopped then
      out[#out + 1] = -1
      out[#out + 1] = 0
    else
      local count = redis.call('INCR', key)
      local ttl = redis.call('PTTL', key)
      if ttl < 0 then
        redis.call('PEXPIRE', key, window)
        ttl = window
      end
      out[#out + 1] = count
      out[#out + 1] = ttl
      if count > limit then stopped = true end
    end
  end
end
return out
`;
const SCRIPT_SHA = createHash('sha1').update(RATE_LIMIT_SCRIPT).digest('hex');

/** Requests per script call at most; more wait for the next call (Redis runs a script alone). */
const MAX_REQUESTS_PER_CALL = 500;
const MEMORY_MAX_KEYS = 100_000;

interface Queued {
  buckets: RateLimitBucket[];
  resolve(d: RateLimitDecision): void;
}

const PASS: RateLimitDecision = Object.freeze({ allowed: true, retryAfterS: 0, headers: Object.freeze({}) as Record<string, string> });

/**
 * Fixed-window rate limits in one Redis round trip, framework-free (ADR 0011). Checks made while
 * a script call is out are sent together in the next one: under load, many requests share one
 * round trip and one socket write. While Redis is unavailable every request is let through, and
 * Redis is not asked again for `breakerMs` after a failure, so an outage neither stops writes nor
 * slows each request down by a timeout.
 */
export class RateLimiter {
  private readonly windowMs: number;
  private readonly windowS: number;
  private readonly breakerMs: number;
  private readonly logEveryMs: number;
  private readonly queue: Queued[] = [];
  private scheduled = false;
  private inFlight = false;
  private skipRedisUntil = 0;
  private lastWarnAt = 0;
  private suppressed = 0;
  private readonly memory = new Map<string, { count: number; resetAt: number }>();

  constructor(private readonly options: RateLimiterOptions) {
    this.windowMs = options.windowMs ?? 60_000;
    this.windowS = Math.ceil(this.windowMs / 1000);
    this.breakerMs = options.breakerMs ?? 1_000;
    this.logEveryMs = options.logEveryMs ?? 10_000;
  }

  /** Counts the request in each bucket (in order, stopping at the first refusal) and decides. */
  check(buckets: readonly RateLimitBucket[]): Promise<RateLimitDecision> {
    const active = buckets.filter((b) => b.limit > 0);
    if (active.length === 0) return Promise.resolve(PASS);
    if (!this.options.redis) return Promise.resolve(this.checkInMemory(active, Date.now()));
    if (Date.now() < this.skipRedisUntil) return Promise.resolve(PASS);
    return new Promise((resolve) => {
      this.queue.push({ buckets: active, resolve });
      this.schedule();
    });
  }

  /**
   * One script call at a time: checks made while one is out wait for its reply and then go
   * together (as group commit does), so under load many requests share a round trip; an idle
   * limiter sends at once, after the I/O callbacks of this turn.
   */
  private schedule(): void {
    if (this.scheduled || this.inFlight || this.queue.length === 0) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      if (this.inFlight || this.queue.length === 0) return;
      this.inFlight = true;
      void this.callRedis(this.queue.splice(0, MAX_REQUESTS_PER_CALL)).finally(() => {
        this.inFlight = false;
        this.schedule();
      });
    });
  }

  private async callRedis(batch: Queued[]): Promise<void> {
    const redis = this.options.redis!;
    if (Date.now() < this.skipRedisUntil) {
      for (const q of batch) q.resolve(PASS);
      return;
    }
    const keys: string[] = [];
    const args: (string | number)[] = [this.windowMs];
    for (const q of batch) {
      args.push(q.buckets.length);
      for (const b of q.buckets) {
        keys.push(`${this.options.keyPrefix}${b.name}:${b.key}`);
        args.push(b.limit);
      }
    }
    let reply: number[];
    try {
      try {
        reply = (await redis.evalsha(SCRIPT_SHA, keys.length, ...keys, ...args)) as number[];
      } catch (err) {
        // A restarted or flushed Redis has forgotten the script: EVAL sends it and caches it again.
        if (!(err instanceof Error) || !err.message.startsWith('NOSCRIPT')) throw err;
        reply = (await redis.eval(RATE_LIMIT_SCRIPT, keys.length, ...keys, ...args)) as number[];
      }
    } catch (err) {
      this.skipRedisUntil = Date.now() + this.breakerMs;
      this.warn(err);
      for (const q of batch) q.resolve(PASS);
      return;
    }
    let i = 0;
    for (const q of batch) {
      const counted: { count: number; msLeft: number }[] = [];
      for (let b = 0; b < q.buckets.length; b++, i += 2) counted.push({ count: Number(reply[i]), msLeft: Number(reply[i + 1]) });
      q.resolve(this.decide(q.buckets, counted));
    }
  }

  private checkInMemory(buckets: RateLimitBucket[], now: number): RateLimitDecision {
    if (this.memory.size > MEMORY_MAX_KEYS) {
      for (const [k, v] of this.memory) if (v.resetAt <= now) this.memory.delete(k);
      if (this.memory.size > MEMORY_MAX_KEYS) this.memory.clear();
    }
    const counted: { count: number; msLeft: number }[] = [];
    let stopped = false;
    for (const b of buckets) {
      if (stopped) {
        counted.push({ count: -1, msLeft: 0 });
        continue;
      }
      const key = `${b.name}:${b.key}`;
      let entry = this.memory.get(key);
      if (!entry || entry.resetAt <= now) {
        entry = { count: 0, resetAt: now + this.windowMs };
        this.memory.set(key, entry);
      }
      entry.count += 1;
      counted.push({ count: entry.count, msLeft: entry.resetAt - now });
      if (entry.count > b.limit) stopped = true;
    }
    return this.decide(buckets, counted);
  }

  private decide(buckets: readonly RateLimitBucket[], counted: { count: number; msLeft: number }[]): RateLimitDecision {
    const policy: string[] = [];
    const state: string[] = [];
    let refused: { name: string; msLeft: number } | undefined;
    let remaining: number | undefined;
    let resetAfterS: number | undefined;
    for (let i = 0; i < buckets.length; i++) {
      const b = buckets[i]!;
      const c = counted[i]!;
      if (c.count < 0) continue;
      const resetS = Math.max(0, Math.ceil(c.msLeft / 1000));
      policy.push(`"${b.name}"; q=${b.limit}; w=${this.windowS}`);
      const left = Math.max(0, b.limit - c.count);
      if (remaining === undefined || left < remaining) [remaining, resetAfterS] = [left, resetS];
      state.push(`"${b.name}"; r=${left}; t=${resetS}`);
      if (c.count > b.limit && !refused) refused = { name: b.name, msLeft: c.msLeft };
    }
    const headers = { 'RateLimit-Policy': policy.join(', '), RateLimit: state.join(', ') };
    if (!refused) return { allowed: true, retryAfterS: 0, headers, remaining, resetAfterS };
    return { allowed: false, retryAfterS: Math.max(1, Math.ceil(refused.msLeft / 1000)), refusedBy: refused.name, headers, remaining, resetAfterS };
  }

  /** One line per `logEveryMs` during an outage, with how many were left out. */
  private warn(err: unknown): void {
    const now = Date.now();
    if (now - this.lastWarnAt < this.logEveryMs) {
      this.suppressed += 1;
      return;
    }
    this.lastWarnAt = now;
    const e = err instanceof Error ? { name: err.name, message: err.message } : { message: String(err) };
    this.options.logger.warn({ err: e, suppressed: this.suppressed }, 'rate-limit counters unavailable; letting requests through');
    this.suppressed = 0;
  }
}

export function createRateLimiter(options: RateLimiterOptions): RateLimiter {
  return new RateLimiter(options);
}
