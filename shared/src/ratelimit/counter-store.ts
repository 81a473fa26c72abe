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
