import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import type { Logger } from '../logger';

/**
 * The Redis connection rate-limit counters live on, shared by every instance. It fails fast while
 * Redis is down (no offline queue, no retries per call, 500 ms timeout) so the limiter can let
 * requests through at once; ioredis keeps reconnecting in the background. Undefined without a URL
 * (embedded mode: counters in memory).
 */
export async function connectCounterStore(redisUrl: string | undefined, logger: Logger): Promise<Redis | undefined> {
  if (!redisUrl) return undefined;
  const redis = new Redis(redisUrl, { enableOfflineQueue: false, maxRetriesPerRequest: 0, commandTimeout: 500, lazyConnect: true });
  redis.on('error', (err: Error) => logger.debug({ err: { message: err.message } }, 'rate-limit Redis unavailable'));
  await redis.connect().catch(() => undefined);
  return redis;
}

/**
 * A secret every instance shares, kept beside the counters, for keyed hashes of client addresses
 * where a service has no configured key: bucket names must not be reversible to an IP (an
 * unkeyed hash of an IPv4 address is). Made once by whichever instance asks first; without Redis,
 * or while it is down, a key of this process's own (the counts are then per process anyway).
 */
export async function sharedCounterKey(redis: Redis | undefined, name: string): Promise<Buffer> {
  const own = randomBytes(32);
  if (!redis) return own;
  try {
    await redis.set(name, own.toString('hex'), 'NX');
    const stored = await redis.get(name);
    return stored ? Buffer.from(stored, 'hex') : own;
  } catch {
    return own;
  }
}
