/**
 * A database and a Redis key prefix of a bench's own, deleted afterwards: a bench never touches real
 * data. Without DATABASE_URL / REDIS_URL the benches fall back to 127.0.0.1. `startBenchService` runs
 * a service in them.
 */
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { Client } from 'pg';
import {
  closeServer,
  commonEnvSchema,
  createDatabase,
  createMetrics,
  createTransport,
  listen,
  migrateService,
  silentLogger,
  type DatabaseHandle,
  type ServiceModule,
  type StreamTransport,
} from '@parley/shared';
import { deleteKeysWithPrefix } from '@parley/shared/testing';
import { onAbortDrop } from './abort';
import { startProcess, type ServiceName, type ServiceProcess } from './processes';

export const ADMIN_DATABASE_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

export interface Scratch {
  databaseUrl: string;
  redisPrefix: string;
  drop(): Promise<void>;
}

export async function createScratch(label: string): Promise<Scratch> {
  const tag = randomBytes(4).toString('hex');
  const name = `parley_bench_${tag}`;
  const u = new URL(ADMIN_DATABASE_URL); // before the database exists: a URL it cannot take leaves none behind
  u.pathname = `/${name}`;
  await withAdmin((c) => c.query(`CREATE DATABASE "${name}"`));
  const redisPrefix = `bench-${label}:${tag}:`;
  const drop = async () => {
    await withAdmin((c) => c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`));
    await deleteKeys(redisPrefix);
  };
  const forget = onAbortDrop(drop);
  return {
    databaseUrl: u.toString(),
    redisPrefix,
    async drop() {
      forget();
      await drop();
    },
  };
}

async function withAdmin(f: (c: Client) => Promise<unknown>): Promise<void> {
  const c = new Client({ connectionString: ADMIN_DATABASE_URL });
  await c.connect();
  try {
    await f(c);
  } finally {
    await c.end();
  }
}

async function deleteKeys(prefix: string): Promise<void> {
  const redis = new Redis(REDIS_URL);
  try {
    await deleteKeysWithPrefix(redis, prefix);
  } finally {
    redis.disconnect();
  }
}

export interface BenchService {
  url: string;
  db: DatabaseHandle<any>;
  transport: StreamTransport;
  stop(): Promise<void>;
}

/**
 * One service as production runs it (real Postgres and Redis, its own outbox relay and consumers),
 * on loopback, in a scratch database and Redis prefix that `stop()` deletes.
 */
export async function startBenchService(module: ServiceModule<any>, label: string, settings: Record<string, unknown> = {}): Promise<BenchService> {
  const scratch = await createScratch(label);
  try {
    return await runInScratch(module, scratch, settings);
  } catch (err) {
    await scratch.drop(); // a service that failed to start leaves nothing behind
    throw err;
  }
}

async function runInScratch(module: ServiceModule<any>, scratch: Scratch, settings: Record<string, unknown>): Promise<BenchService> {
  const db = await createDatabase({ databaseUrl: scratch.databaseUrl, poolSize: Number(process.env.BENCH_POOL ?? 20), logger: silentLogger });
  const transport = createTransport({ redisUrl: REDIS_URL, keyPrefix: scratch.redisPrefix, logger: silentLogger });
  // What is up so far, undone in reverse order by stop(), or at once if starting fails.
  const undo: (() => Promise<unknown>)[] = [() => db.close(), () => transport.close()];
  const stop = async () => {
    for (const step of [...undo].reverse()) await step().catch(() => undefined);
  };
  try {
    await migrateService(db, module, silentLogger);
    const common = commonEnvSchema.parse({ NODE_ENV: 'test', LOG_LEVEL: 'silent' });
    const service = await module.create({
      config: { ...common, PORT: 0, DATABASE_URL: scratch.databaseUrl, REDIS_URL, REDIS_KEY_PREFIX: scratch.redisPrefix, ...settings },
      logger: silentLogger,
      metrics: createMetrics(module.name),
      db,
      transport,
      consumerName: 'bench',
    });
    undo.push(() => service.stop());
    const { server, port } = await listen(service.app, 0, '127.0.0.1');
    undo.push(() => closeServer(server));
    await service.start();
    return {
      url: `http://127.0.0.1:${port}`,
      db,
      transport,
      async stop() {
        await stop();
        await scratch.drop();
      },
    };
  } catch (err) {
    await stop();
    throw err;
  }
}

/**
 * One service as production runs it: its own process from its entry point (NODE_ENV=production),
 * in a scratch database (migrated first) and Redis prefix that `stop()` deletes. `prepare` runs once
 * it listens, with a handle on its database (closed afterwards): sites and such for the bench.
 */
export async function startScratchProcess(
  name: ServiceName,
  module: ServiceModule<any>,
  env: Record<string, string>,
  prepare: (db: DatabaseHandle<any>, url: string) => Promise<void>,
): Promise<ServiceProcess> {
  const scratch = await createScratch(name);
  let service: ServiceProcess | undefined;
  try {
    const db = await createDatabase({ databaseUrl: scratch.databaseUrl, logger: silentLogger });
    try {
      await migrateService(db, module, silentLogger);
      service = await startProcess(name, { DATABASE_URL: scratch.databaseUrl, REDIS_URL, REDIS_KEY_PREFIX: scratch.redisPrefix, ...env });
      await prepare(db, service.url);
    } finally {
      await db.close();
    }
  } catch (err) {
    await service?.stop(); // one that failed to start leaves nothing behind
    await scratch.drop();
    throw err;
  }
  const started = service;
  return {
    ...started,
    async stop() {
      await started.stop();
      await scratch.drop();
    },
  };
}
