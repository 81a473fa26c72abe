import { sql, type Kysely } from 'kysely';
import { createDatabase } from '../../src/db';
import { createTestDatabase } from '../../src/testing';

/**
 * A statement the planner costs far above jit_above_cost (100,000 by default), as it does our batch
 * inserts once a table that was never analysed has grown: with JIT on, Postgres compiles it at
 * every call. EXPLAIN shows a "JIT" section exactly when it would.
 */
async function wouldCompile(db: Kysely<unknown>): Promise<boolean> {
  const { rows } = await sql<{ 'QUERY PLAN': [Record<string, unknown>] }>`explain (format json) select sum(a) from generate_series(1, 20000000) a`.execute(db);
  return 'JIT' in rows[0]!['QUERY PLAN'][0];
}

describe('Postgres sessions of the services', () => {
  let database: { url: string; drop(): Promise<void> };
  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterAll(() => database.drop());

  it('when a statement is costed above the JIT threshold, then it is still not compiled', async () => {
    const handle = await createDatabase({ databaseUrl: database.url, poolSize: 1 });
    try {
      await expect(wouldCompile(handle.db)).resolves.toBe(false);
    } finally {
      await handle.close();
    }
  });

  it('when DATABASE_URL sets its own options, then those apply instead', async () => {
    const url = new URL(database.url);
    url.searchParams.set('options', '-c jit=on');
    const handle = await createDatabase({ databaseUrl: url.toString(), poolSize: 1 });
    try {
      const { rows } = await sql<{ on: boolean }>`select pg_jit_available() as on`.execute(handle.db);
      // A server built without LLVM never compiles; where it can, the operator's choice is honoured.
      await expect(wouldCompile(handle.db)).resolves.toBe(rows[0]!.on);
    } finally {
      await handle.close();
    }
  });
});
