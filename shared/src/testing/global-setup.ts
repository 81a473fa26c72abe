import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import Redis from 'ioredis';
import { withDatabase } from './env';

/**
 * Finds Postgres and Redis for the run: DATABASE_URL / REDIS_URL when set (CI and this project's
 * machines), else containers started with testcontainers (a developer machine with Docker).
 * Workers inherit the PARLEY_TEST_* variables set here.
 */
export default async function globalSetup(): Promise<void> {
  let pgUrl = process.env.DATABASE_URL;
  let redisUrl = process.env.REDIS_URL;
  if (!pgUrl || !redisUrl) {
    const started = await startContainers(!pgUrl, !redisUrl);
    pgUrl ??= started.pgUrl;
    redisUrl ??= started.redisUrl;
  }
  const runId = `${Date.now().toString(36)}${randomBytes(3).toString('hex')}`;
  const admin = withDatabase(pgUrl!, 'postgres');
  const client = new Client({ connectionString: admin });
  await client.connect().catch((err: Error) => {
    throw new Error(`Postgres at ${redact(admin)} is not reachable: ${err.message}`);
  });
  await client.end();
  const redis = new Redis(redisUrl!, { lazyConnect: true, maxRetriesPerRequest: 1 });
  await redis.connect().catch((err: Error) => {
    throw new Error(`Redis at ${redact(redisUrl!)} is not reachable: ${err.message}`);
  });
  redis.disconnect();

  process.env.PARLEY_TEST_PG_ADMIN_URL = admin;
  process.env.PARLEY_TEST_REDIS_URL = redisUrl;
  process.env.PARLEY_TEST_RUN_ID = runId;
  // Services under test must not pick up the developer's own settings by accident.
  delete process.env.DATABASE_URL;
  delete process.env.REDIS_URL;
}

function redact(url: string): string {
  const u = new URL(url);
  if (u.password) u.password = '***';
  return u.toString();
}

async function startContainers(pg: boolean, redis: boolean): Promise<{ pgUrl?: string; redisUrl?: string }> {
  // Loaded only here: testcontainers is for machines with a Docker engine.
  const { GenericContainer, Wait } = await import('testcontainers');
  const out: { pgUrl?: string; redisUrl?: string } = {};
  const holder = globalThis as unknown as { __parleyContainers?: { stop(): Promise<unknown> }[] };
  holder.__parleyContainers = [];
  if (pg) {
    const c = await new GenericContainer('postgres:16-alpine')
      .withEnvironment({ POSTGRES_HOST_AUTH_METHOD: 'trust' })
      .withExposedPorts(5432)
      .withWaitStrategy(Wait.forLogMessage(/database system is ready to accept connections/, 2))
      .start();
    holder.__parleyContainers.push(c);
    out.pgUrl = `postgres://postgres@${c.getHost()}:${c.getMappedPort(5432)}/postgres`;
  }
  if (redis) {
    const c = await new GenericContainer('redis:7-alpine').withExposedPorts(6379).start();
    holder.__parleyContainers.push(c);
    out.redisUrl = `redis://${c.getHost()}:${c.getMappedPort(6379)}`;
  }
  return out;
}
