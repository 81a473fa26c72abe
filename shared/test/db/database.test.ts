import { sql, type Kysely } from 'kysely';
import { MigrationError, migrateSchema, pendingMigrations, type DatabaseHandle, type Migrations } from '../../src/db';
import { dialects, openTestDatabases, uniqueSchema, type TestDatabases } from './test-databases';

/** A small service schema: a counter table and a log that every migration writes its name to. */
function counterMigrations(schema: string): Migrations {
  const logged = (db: Kysely<any>, name: string) => db.insertInto(`${schema}.migration_log`).values({ name }).execute();
  return {
    '2026_01_01_0000_counters': {
      async up(db) {
        await db.schema.withSchema(schema).createTable('migration_log').addColumn('name', 'text', (c) => c.primaryKey()).execute();
        await db.schema
          .withSchema(schema)
          .createTable('counters')
          .addColumn('id', 'text', (c) => c.primaryKey())
          .addColumn('value', 'integer', (c) => c.notNull().defaultTo(0))
          .execute();
        await logged(db, '0000');
      },
    },
    '2026_01_01_0100_items': {
      async up(db) {
        await db.schema
          .withSchema(schema)
          .createTable('items')
          .addColumn('id', 'integer', (c) => c.primaryKey())
          .addColumn('name', 'text', (c) => c.notNull())
          .execute();
        await logged(db, '0100');
      },
    },
  };
}

// Repository-style helpers, as a service would write them.
async function insertCounter(db: Kysely<any>, schema: string, id: string): Promise<void> {
  await db.insertInto(`${schema}.counters`).values({ id }).execute();
}
async function findCounterById(db: Kysely<any>, schema: string, id: string): Promise<number | undefined> {
  const row = await db.selectFrom(`${schema}.counters`).select('value').where('id', '=', id).executeTakeFirst();
  return row?.value as number | undefined;
}
async function incrementCounterLocked(db: Kysely<any>, schema: string, id: string): Promise<void> {
  await db.transaction().execute(async (trx) => {
    const row = await trx.selectFrom(`${schema}.counters`).select('value').where('id', '=', id).forUpdate().executeTakeFirstOrThrow();
    await trx.updateTable(`${schema}.counters`).set({ value: (row.value as number) + 1 }).where('id', '=', id).execute();
  });
}

describe.each(dialects)('database on %s', (kind) => {
  let databases: TestDatabases;
  let handle: DatabaseHandle<any>;

  beforeAll(async () => {
    databases = await openTestDatabases(kind);
    handle = await databases.open();
  });
  afterAll(async () => {
    await databases.close();
  });

  async function migrated(): Promise<string> {
    const schema = uniqueSchema();
    await migrateSchema(handle.db, schema, counterMigrations(schema));
    return schema;
  }

  it('when the handle is opened, then it reports its kind and answers ping', async () => {
    expect(handle.kind).toBe(kind);
    await expect(handle.ping()).resolves.toBe(true);
  });

  it('when migrations run on a new schema, then all are applied; a second run applies none', async () => {
    const schema = uniqueSchema();
    const migrations = counterMigrations(schema);

    const first = await migrateSchema(handle.db, schema, migrations);
    const second = await migrateSchema(handle.db, schema, migrations);

    expect(first.applied).toEqual(['2026_01_01_0000_counters', '2026_01_01_0100_items']);
    expect(second.applied).toEqual([]);
    const log = await handle.db.selectFrom(`${schema}.migration_log`).select('name').orderBy('name').execute();
    expect(log.map((r) => r.name)).toEqual(['0000', '0100']);
  });

  it('when the migration bookkeeping is looked for, then it lives in the service schema', async () => {
    const schema = await migrated();

    const tables = await sql<{ table_name: string }>`
      select table_name from information_schema.tables where table_schema = ${schema} order by table_name`.execute(handle.db);

    expect(tables.rows.map((r) => r.table_name)).toEqual(
      expect.arrayContaining(['kysely_migration', 'kysely_migration_lock', 'counters', 'items']),
    );
  });

  it('when pendingMigrations is asked before, between and after migrating, then it lists what is missing', async () => {
    const schema = uniqueSchema();
    const all = counterMigrations(schema);
    const firstOnly: Migrations = { '2026_01_01_0000_counters': all['2026_01_01_0000_counters']! };

    const before = await pendingMigrations(handle.db, schema, all);
    await migrateSchema(handle.db, schema, firstOnly);
    const between = await pendingMigrations(handle.db, schema, all);
    await migrateSchema(handle.db, schema, all);
    const after = await pendingMigrations(handle.db, schema, all);

    expect(before).toEqual(['2026_01_01_0000_counters', '2026_01_01_0100_items']);
    expect(between).toEqual(['2026_01_01_0100_items']);
    expect(after).toEqual([]);
  });

  it('when a migration fails, then migrateSchema throws naming it and none of that run remains', async () => {
    const schema = uniqueSchema();
    const migrations: Migrations = {
      ...counterMigrations(schema),
      '2026_01_01_0200_broken': {
        async up(db) {
          await sql`select * from no_such_table`.execute(db);
        },
      },
    };

    const failure = await migrateSchema(handle.db, schema, migrations).catch((err: unknown) => err);

    expect(failure).toBeInstanceOf(MigrationError);
    expect((failure as MigrationError).migration).toBe('2026_01_01_0200_broken');
    expect(await pendingMigrations(handle.db, schema, migrations)).toHaveLength(3);
  });

  it('when two processes migrate the same schema at once, then each migration is applied exactly once', async () => {
    const schema = uniqueSchema();
    const other = await databases.open();

    const [a, b] = await Promise.all([
      migrateSchema(handle.db, schema, counterMigrations(schema)),
      migrateSchema(other.db, schema, counterMigrations(schema)),
    ]);

    expect([...a.applied, ...b.applied].sort()).toEqual(['2026_01_01_0000_counters', '2026_01_01_0100_items']);
    const log = await handle.db.selectFrom(`${schema}.migration_log`).select('name').execute();
    expect(log).toHaveLength(2);
  });

  it('when a transaction throws, then none of its writes remain', async () => {
    const schema = await migrated();

    const attempt = handle.db.transaction().execute(async (trx) => {
      await insertCounter(trx, schema, 'rolled-back');
      throw new Error('business rule says no');
    });

    await expect(attempt).rejects.toThrow('business rule says no');
    expect(await findCounterById(handle.db, schema, 'rolled-back')).toBeUndefined();
  });

  it('when 20 transactions increment one counter at once, then it ends at 20', async () => {
    const schema = await migrated();
    await insertCounter(handle.db, schema, 'hits');

    await Promise.all(Array.from({ length: 20 }, () => incrementCounterLocked(handle.db, schema, 'hits')));

    expect(await findCounterById(handle.db, schema, 'hits')).toBe(20);
  });

  it('when rows are counted, then the bigint count comes back as a string on both dialects', async () => {
    const schema = await migrated();
    await insertCounter(handle.db, schema, 'a');

    const row = await handle.db.selectFrom(`${schema}.counters`).select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow();

    expect(row.n).toBe('1');
  });

  it('when the handle is closed twice, then the second close is harmless and ping answers false', async () => {
    const extra = await databases.open();

    await extra.close();
    await extra.close();

    await expect(extra.ping()).resolves.toBe(false);
  });
});
