/**
 * Where the test run's Postgres and Redis are. The global setup fills these in (from DATABASE_URL /
 * REDIS_URL, or from testcontainers) before any test file runs.
 */
export interface TestInfra {
  /** A URL to the server's maintenance database, used to create and drop per-file databases. */
  pgAdminUrl: string;
  redisUrl: string;
  /** Unique per `npm test` run: prefixes every database and Redis key the run makes. */
  runId: string;
}

export function testInfra(): TestInfra {
  const pgAdminUrl = process.env.PARLEY_TEST_PG_ADMIN_URL;
  const redisUrl = process.env.PARLEY_TEST_REDIS_URL;
  const runId = process.env.PARLEY_TEST_RUN_ID;
  if (!pgAdminUrl || !redisUrl || !runId) {
    throw new Error('Test infrastructure is not set up: run the tests through `npm test` (Jest global setup).');
  }
  return { pgAdminUrl, redisUrl, runId };
}

export function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}
