import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import Redis from 'ioredis';
import { testInfra, withDatabase } from './env';

/**
 * A fresh, empty Postgres database for one test file (named after the run, dropped by the global
 * teardown or by `drop()`), so test files never see each other's rows or migrations.
 */
export async function createTestDatabase(): Promise<{ url: string; name: string; drop(): Promise<void> }> {
  const { pgAdminUrl, runId } = testInfra();
  const name = `parley_t_${runId}_${randomBytes(4).toString('hex')}`;
  const client = new Client({ connectionString: pgAdminUrl });
  await client.connect();
  try {
    await client.query(`CREATE DATABASE "${name}"`);
  } finally {
    await client.end();
  }
  return {
    url: withDatabase(pgAdminUrl, name),
    name,
    async drop() {
      const c = new Client({ connectionString: pgAdminUrl });
      await c.connect();
      try {
        await c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      } finally {
        await c.end();
      }
    },
  };
}

/** A Redis key prefix of this test's own (`t:<run>:<random>:`), and a way to delete its keys. */
export function createTestRedisPrefix(): { url: string; prefix: string; cleanup(): Promise<void> } {
  const { redisUrl, runId } = testInfra();
  const prefix = `t:${runId}:${randomBytes(4).toString('hex')}:`;
  return {
    url: redisUrl,
    prefix,
    async cleanup() {
      const redis = new Redis(redisUrl);
      try {
        await deleteKeysWithPrefix(redis, prefix);
      } finally {
        redis.disconnect();
      }
    },
  };
}

/** Deletes every key under `prefix` (SCAN + UNLINK, never KEYS): what a test or bench run made. */
export async function deleteKeysWithPrefix(redis: Redis, prefix: string): Promise<void> {
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
    cursor = next;
    if (keys.length) await redis.unlink(...keys);
  } while (cursor !== '0');
}
