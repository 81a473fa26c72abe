import { createServer } from 'node:net';
import { sql } from 'kysely';
import { createDatabase, isDatabaseUnavailable } from '../../src/db';
import { createTestDatabase } from '../../src/testing';
import { waitFor } from './test-databases';

/** A port nothing listens on: bound by the OS, then released. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('isDatabaseUnavailable', () => {
  it('when Postgres does not listen, then ping answers false and the query error is classed unavailable', async () => {
    const handle = await createDatabase({ databaseUrl: `postgres://postgres@127.0.0.1:${await closedPort()}/postgres` });
    try {
      const error = await sql`select 1`.execute(handle.db).catch((err: unknown) => err);

      expect(isDatabaseUnavailable(error)).toBe(true);
      await expect(handle.ping()).resolves.toBe(false);
    } finally {
      await handle.close();
    }
  });

  it('when the server terminates the session, then the error is classed unavailable and the pool recovers', async () => {
    const database = await createTestDatabase();
    const victim = await createDatabase({ databaseUrl: database.url, poolSize: 1 });
    const admin = await createDatabase({ databaseUrl: database.url, poolSize: 1 });
    try {
      const error = await victim.db
        .connection()
        .execute(async (conn) => {
          const { rows } = await sql<{ pid: number }>`select pg_backend_pid() as pid`.execute(conn);
          await sql`select pg_terminate_backend(${rows[0]!.pid})`.execute(admin.db);
          await sql`select 1`.execute(conn);
        })
        .catch((err: unknown) => err);

      expect(isDatabaseUnavailable(error)).toBe(true);
      // No crash from the lost socket, and the pool replaces the connection: the handle recovers on
      // its own (the broken client can fail one more checkout before pg notices the closed socket).
      await waitFor(() => victim.ping());
    } finally {
      await victim.close();
      await admin.close();
      await database.drop();
    }
  });

  it.each([
    ['admin shutdown', { code: '57P01' }],
    ['cannot connect now', { code: '57P03' }],
    ['connection failure', { code: '08006' }],
    ['refused, wrapped as a cause', new Error('query failed', { cause: Object.assign(new Error('x'), { code: 'ECONNREFUSED' }) })],
    ['refused on every address', new AggregateError([Object.assign(new Error('x'), { code: 'ECONNREFUSED' })])],
    ['pool checkout timeout', new Error('timeout exceeded when trying to connect')],
  ])('when the error is %s, then it is classed unavailable', (_name, error) => {
    expect(isDatabaseUnavailable(error)).toBe(true);
  });

  it.each([
    ['a syntax error', { code: '42601' }],
    ['a unique violation', { code: '23505' }],
    ['a plain error', new Error('nope')],
    ['not an error', 'ECONNREFUSED'],
  ])('when the error is %s, then it is not classed unavailable', (_name, error) => {
    expect(isDatabaseUnavailable(error)).toBe(false);
  });
});
