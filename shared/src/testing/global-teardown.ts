import { Client } from 'pg';
import Redis from 'ioredis';

/** Drops every database and Redis key the run made, then stops containers it started. */
export default async function globalTeardown(): Promise<void> {
  const admin = process.env.PARLEY_TEST_PG_ADMIN_URL;
  const redisUrl = process.env.PARLEY_TEST_REDIS_URL;
  const runId = process.env.PARLEY_TEST_RUN_ID;
  if (admin && runId) {
    const client = new Client({ connectionString: admin });
    await client.connect();
    const { rows } = await client.query<{ datname: string }>(
      'SELECT datname FROM pg_database WHERE datname LIKE $1',
      [`parley_t_${runId}_%`],
    );
    for (const { datname } of rows) {
      await client.query(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`);
    }
    await client.end();
  }
  if (redisUrl && runId) {
    const redis = new Redis(redisUrl);
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `t:${runId}:*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length) await redis.unlink(...keys);
    } while (cursor !== '0');
    redis.disconnect();
  }
  const holder = globalThis as unknown as { __parleyContainers?: { stop(): Promise<unknown> }[] };
  for (const c of holder.__parleyContainers ?? []) await c.stop();
}
