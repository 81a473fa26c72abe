import type { Logger } from '../logger';
import type { Metrics } from '../metrics';
import { createMemoryTransport } from './memory-transport';
import { createRedisTransport } from './redis-transport';
import type { StreamTransport } from './transport';

export * from './transport';
export { createMemoryTransport, type MemoryTransport, type MemoryTransportOptions } from './memory-transport';
export { createRedisTransport, type RedisTransportOptions } from './redis-transport';
export { sampleStreamMetrics, watchStreams, type StreamSubscriptionRef } from './stream-metrics';

export interface TransportOptions {
  /** Redis Streams when set; otherwise the in-process transport (embedded single-process mode). */
  redisUrl?: string;
  keyPrefix?: string;
  maxLen?: number;
  defaultMaxDeliveries?: number;
  defaultClaimIdleMs?: number;
  metrics?: Metrics;
  logger?: Logger;
}

export function createTransport(opts: TransportOptions): StreamTransport {
  const { redisUrl, keyPrefix, ...common } = opts;
  return redisUrl ? createRedisTransport({ url: redisUrl, keyPrefix, ...common }) : createMemoryTransport(common);
}
