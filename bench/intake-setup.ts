/**
 * What the comment-intake benches share: intake on loopback against a database and Redis prefix of
 * its own (deleted afterwards) with one site, `bench`, whose origin is allowed and whose limits never
 * bite (their Redis round trips are still paid). Load comes from bench/load.ts.
 */
import type { Kysely } from 'kysely';
import {
  closeServer,
  commonEnvSchema,
  createDatabase,
  createMetrics,
  createTransport,
  listen,
  migrateService,
  silentLogger,
  siteSettingsSchema,
  upsertSiteSnapshot,
  type DatabaseHandle,
  type StreamTransport,
  type TenancyReadTables,
} from '@parley/shared';
import { commentIntake } from '@parley/comment-intake';
import { ORIGIN } from './load';
import { REDIS_URL, createScratch } from './scratch';

export const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 100);

export interface BenchIntake {
  url: string;
  db: DatabaseHandle<any>;
  transport: StreamTransport;
  databaseKind: 'postgres' | 'pglite';
  stop(): Promise<void>;
}

export async function startBenchIntake(): Promise<BenchIntake> {
  const scratch = await createScratch('intake');
  const prefix = scratch.redisPrefix;
  const databaseUrl = scratch.databaseUrl;
  const db = await createDatabase({ databaseUrl, poolSize: Number(process.env.BENCH_POOL ?? 20), logger: silentLogger });
  const transport = createTransport({ redisUrl: REDIS_URL, keyPrefix: prefix, logger: silentLogger });
  await migrateService(db, commentIntake, silentLogger);
  const config = commonEnvSchema.parse({ NODE_ENV: 'test', LOG_LEVEL: 'silent' });
  const service = await commentIntake.create({
    config: {
      ...config,
      PORT: 0,
      REDIS_URL,
      REDIS_KEY_PREFIX: prefix,
      // Limits are on (their Redis round trips are part of the cost) but never bite.
      ...(process.env.BENCH_NO_RATE_LIMITS
        ? { RATE_LIMIT_IP_PER_MINUTE: 0, RATE_LIMIT_EMAIL_PER_MINUTE: 0, RATE_LIMIT_SITE_PER_MINUTE: 0 }
        : { RATE_LIMIT_IP_PER_MINUTE: 100_000_000, RATE_LIMIT_EMAIL_PER_MINUTE: 100_000_000, RATE_LIMIT_SITE_PER_MINUTE: 100_000_000 }),
    } as never,
    logger: silentLogger,
    metrics: createMetrics('comment-intake'),
    db,
    transport,
    consumerName: 'bench',
  });
  const { server, port } = await listen(service.app, 0, '127.0.0.1');
  await service.start();
  await upsertSiteSnapshot(db.db as Kysely<TenancyReadTables>, 'intake', {
    id: 'bench',
    name: 'bench',
    allowedOrigins: [ORIGIN],
    settings: siteSettingsSchema.parse({ comments: { minSubmitSeconds: 0 } }),
    status: 'active',
    version: 1,
    updatedAt: new Date().toISOString(),
  });
  return {
    url: `http://127.0.0.1:${port}`,
    db,
    transport,
    databaseKind: 'postgres',
    async stop() {
      await closeServer(server);
      await service.stop();
      await transport.close();
      await db.close();
      await scratch.drop();
    },
  };
}
