import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { PGlite } from '@electric-sql/pglite';
import { sql } from 'kysely';
import { createDatabase, createPglite, type DatabaseHandle } from '../../src/db';

// The embedded mode runs every service on one PGlite, which is one Postgres session: these tests
// pin down that statements of different handles never land inside each other's transactions.
describe('PGlite shared by several handles', () => {
  let pglite: PGlite;
  let a: DatabaseHandle<any>;
  let b: DatabaseHandle<any>;

  beforeAll(async () => {
    pglite = await createPglite();
    a = await createDatabase({ pglite });
    b = await createDatabase({ pglite });
    await sql`create table counter (n integer not null)`.execute(a.db);
    await sql`create table notes (by text not null)`.execute(a.db);
  });
  afterAll(async () => {
    await a.close();
    await b.close();
    await pglite.close();
  });

  const yieldTurns = async (turns: number) => {
    for (let i = 0; i < turns; i++) await new Promise((resolve) => setImmediate(resolve));
  };

  it('when 20 transactions on two handles read and write one counter without locks, then none is lost', async () => {
    await sql`delete from counter`.execute(a.db);
    await sql`insert into counter values (0)`.execute(a.db);

    await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        (i % 2 ? a : b).db.transaction().execute(async (trx) => {
          const { n } = await trx.selectFrom('counter').select('n').executeTakeFirstOrThrow();
          await yieldTurns(2);
          await trx.updateTable('counter').set({ n: n + 1 }).execute();
        }),
      ),
    );

    const { n } = await a.db.selectFrom('counter').select('n').executeTakeFirstOrThrow();
    expect(n).toBe(20);
  });

  it('when one handle holds a transaction open, then another handle waits and is not rolled back with it', async () => {
    let otherDone = false;
    let other: Promise<unknown> | undefined;

    const attempt = a.db.transaction().execute(async (trx) => {
      await trx.insertInto('notes').values({ by: 'a' }).execute();
      other = b.db
        .insertInto('notes')
        .values({ by: 'b' })
        .execute()
        .then(() => (otherDone = true));
      await yieldTurns(20);
      expect(otherDone).toBe(false);
      throw new Error('roll a back');
    });
    await expect(attempt).rejects.toThrow('roll a back');
    await other;

    const rows = await a.db.selectFrom('notes').select('by').execute();
    expect(rows.map((r) => r.by)).toEqual(['b']);
  });

  it('when a raw BEGIN is left open on a connection, then the next user does not inherit the transaction', async () => {
    await sql`delete from notes`.execute(a.db);

    await a.db.connection().execute(async (conn) => {
      await sql`begin`.execute(conn);
      await conn.insertInto('notes').values({ by: 'forgotten' }).execute();
    });
    await b.db.insertInto('notes').values({ by: 'next' }).execute();

    expect(pglite.isInTransaction()).toBe(false);
    const rows = await b.db.selectFrom('notes').select('by').execute();
    expect(rows.map((r) => r.by)).toEqual(['next']);
  });

  it('when one of two handles is closed, then the other keeps working on the open PGlite', async () => {
    const third = await createDatabase({ pglite });
    await third.ping();

    await third.close();

    expect(pglite.closed).toBe(false);
    await expect(a.ping()).resolves.toBe(true);
  });
});

describe('PGlite in a data directory', () => {
  let dir: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'parley-pglite-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('when a handle writes, closes and the directory is opened again, then the rows are still there', async () => {
    const dataDir = join(dir, 'pg');
    const first = await createDatabase({ dataDir });
    await sql`create table kept (v text)`.execute(first.db);
    await sql`insert into kept values ('survives')`.execute(first.db);
    await first.close();

    const second = await createDatabase({ dataDir });
    const rows = await sql<{ v: string }>`select v from kept`.execute(second.db);
    await second.close();

    expect(rows.rows).toEqual([{ v: 'survives' }]);
  });
});
