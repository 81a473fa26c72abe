/**
 * A database and a Redis key prefix of a bench's own, deleted afterwards: a bench never touches real
 * data. Without DATABASE_URL / REDIS_URL the benches fall back to 127.0.0.1.
 */
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { Client } from 'pg';

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
  await withAdmin((c) => c.query(`CREATE DATABASE "${name}"`));
  const u = new URL(ADMIN_DATABASE_URL);
  u.pathname = `/${name}`;
  const redisPrefix = `bench-${label}:${tag}:`;
  return {
    databaseUrl: u.toString(),
    redisPrefix,
    async drop() {
      await withAdmin((c) => c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`));
      await deleteKeys(redisPrefix);
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
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length) await redis.unlink(...keys);
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}
