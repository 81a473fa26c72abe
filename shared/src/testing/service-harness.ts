import type { Server } from 'node:http';
import { Redis } from 'ioredis';
import type { Envelope } from '../contracts/envelope';
import { parseEntries } from '../streams/redis-replies';
import type { CommonConfig } from '../config';
import { commonEnvSchema } from '../config';
import { closeServer, listen } from '../http/server';
import { silentLogger, type Logger } from '../logger';
import { createMetrics } from '../metrics';
import { createTransport } from '../streams';
import type { StreamTransport } from '../streams/transport';
import type { DatabaseHandle } from '../db';
import { createDatabase } from '../db';
import { migrateService, type ServiceInstance, type ServiceModule } from '../service/runtime';
import { createTestDatabase, createTestRedisPrefix } from './resources';

/** Real Postgres (a fresh database) and real Redis (a fresh key prefix) for one test file. */
export interface TestInfraHandle {
  db: DatabaseHandle<any>;
  transport: StreamTransport;
  databaseUrl: string;
  redisUrl: string;
  redisPrefix: string;
  close(): Promise<void>;
}

export async function startTestInfra(options: { transport?: 'redis' | 'memory'; claimIdleMs?: number } = {}): Promise<TestInfraHandle> {
  const database = await createTestDatabase();
  const redis = createTestRedisPrefix();
  const db = await createDatabase({ databaseUrl: database.url, logger: silentLogger });
  const transport = createTransport({
    redisUrl: options.transport === 'memory' ? undefined : redis.url,
    keyPrefix: redis.prefix,
    defaultClaimIdleMs: options.claimIdleMs ?? 1000,
    logger: silentLogger,
  });
  return {
    db,
    transport,
    databaseUrl: database.url,
    redisUrl: redis.url,
    redisPrefix: redis.prefix,
    async close() {
      await transport.close();
      await db.close();
      await database.drop();
      await redis.cleanup();
    },
  };
}

export interface RunningTestService {
  service: ServiceInstance;
  url: string;
  server: Server;
  stop(): Promise<void>;
}

/** Migrates, builds, listens on a free port and starts one service against the given infra. */
export async function startTestService<C extends CommonConfig>(
  module: ServiceModule<C>,
  infra: Pick<TestInfraHandle, 'db' | 'transport'>,
  env: Record<string, string> = {},
  logger: Logger = silentLogger,
): Promise<RunningTestService> {
  await migrateService(infra.db, module, logger);
  const config = { ...commonEnvSchema.parse({ NODE_ENV: 'test', ...env }), PORT: 0, ...env } as unknown as C;
  const service = await module.create({
    config,
    logger,
    metrics: createMetrics(module.name),
    db: infra.db,
    transport: infra.transport,
    consumerName: `${module.name}-test-${process.pid}`,
  });
  const { server, port } = await listen(service.app, 0, '127.0.0.1');
  try {
    await service.start();
  } catch (err) {
    await closeServer(server);
    await service.stop();
    throw err;
  }
  return {
    service,
    url: `http://127.0.0.1:${port}`,
    server,
    async stop() {
      await closeServer(server);
      await service.stop();
    },
  };
}

/** Polls `check` until it returns a value other than undefined/false, or throws after `timeoutMs`. */
export async function eventually<T>(check: () => Promise<T | undefined | false>, timeoutMs = 5000, everyMs = 25): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await check();
      if (v !== undefined && v !== false) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms${last ? `: ${String(last)}` : ''}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/**
 * Every envelope in a stream of the infra's Redis prefix, oldest first (XRANGE). Published outbox
 * rows are deleted (ADR 0018), so a test that wants to see what a service announced reads the stream.
 */
export async function publishedEnvelopes(infra: Pick<TestInfraHandle, 'redisUrl' | 'redisPrefix'>, stream: string): Promise<Envelope[]> {
  const redis = new Redis(infra.redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    const entries = parseEntries(await redis.xrange(`${infra.redisPrefix}${stream}`, '-', '+'));
    return entries.flatMap((e) => (e.fields?.e === undefined ? [] : [JSON.parse(e.fields.e) as Envelope]));
  } finally {
    redis.disconnect();
  }
}
