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
 * What a bench has set up so far, undone in reverse order: by the bench's `stop()`, or at once when
 * starting fails, so a service that does not come up leaves nothing behind. Every step runs even if
 * one before it failed; the first error is thrown after the rest. A second call finds nothing left.
 */
function setUp(first: () => Promise<unknown>) {
  const steps = [first];
  return {
    add: (step: () => Promise<unknown>) => void steps.push(step),
    async undo(): Promise<void> {
      let failure: unknown;
      for (const step of steps.splice(0).reverse()) await step().catch((err: unknown) => (failure ??= err));
      if (failure !== undefined) throw failure;
    },
  };
}

/** Runs `start` with what it set up undone if it throws. */
async function orUndo<T>(done: ReturnType<typeof setUp>, start: () => Promise<T>): Promise<T> {
  try {
    return await start();
  } catch (err) {
    await done.undo().catch(() => undefined);
    throw err;
  }
}

/**
 * One service as production runs it (real Postgres and Redis, its own outbox relay and consumers),
 * on loopback, in a scratch database and Redis prefix that `stop()` deletes.
 */
export async function startBenchService(module: ServiceModule<any>, label: string, settings: Record<string, unknown> = {}): Promise<BenchService> {
  const scratch = await createScratch(label);
  const done = setUp(() => scratch.drop());
  return orUndo(done, async () => {
    const db = await createDatabase({ databaseUrl: scratch.databaseUrl, poolSize: Number(process.env.BENCH_POOL ?? 20), logger: silentLogger });
    done.add(() => db.close());
    const transport = createTransport({ redisUrl: REDIS_URL, keyPrefix: scratch.redisPrefix, logger: silentLogger });
    done.add(() => transport.close());
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
    done.add(() => service.stop());
    const { server, port } = await listen(service.app, 0, '127.0.0.1');
    done.add(() => closeServer(server));
    await service.start();
    return { url: `http://127.0.0.1:${port}`, db, transport, stop: () => done.undo() };
  });
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
  const done = setUp(() => scratch.drop());
  return orUndo(done, async () => {
    const db = await createDatabase({ databaseUrl: scratch.databaseUrl, logger: silentLogger });
    try {
      await migrateService(db, module, silentLogger);
      const service = await startProcess(name, { DATABASE_URL: scratch.databaseUrl, REDIS_URL, REDIS_KEY_PREFIX: scratch.redisPrefix, ...env });
      done.add(() => service.stop());
      await prepare(db, service.url);
      return { ...service, stop: () => done.undo() };
    } finally {
      await db.close();
    }
  });
}
