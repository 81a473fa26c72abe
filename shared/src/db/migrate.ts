import { sql, type Kysely } from 'kysely';
import { Migrator, type Migration, type MigrationProvider } from 'kysely/migration';
import { assertSchemaName } from './schema-name';

/** A service's migrations by name; names sort in the order they must run (YYYY_MM_DD_HHMM_…). */
export type Migrations = Record<string, Migration>;

export class MigrationError extends Error {
  constructor(
    readonly schema: string,
    readonly migration: string | undefined,
    cause: unknown,
  ) {
    const what = migration ? `migration "${migration}"` : 'migrations';
    super(`${what} of schema "${schema}" failed: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
    this.name = 'MigrationError';
  }
}

/**
 * Brings `schema` up to date. Bookkeeping (`kysely_migration`, `kysely_migration_lock`) lives in the
 * schema itself, so each service's history is its own. Migrations are passed in, not read from disk,
 * so the same code runs under tsx, Jest and a bundle.
 *
 * Concurrency: Kysely's Postgres adapter holds a session advisory lock (one fixed key for the whole
 * cluster, whatever the schema) around the run, and re-reads the applied list under it, so of two
 * processes starting together one applies and the other finds nothing left. On PGlite the single
 * connection is held for the whole run, which serialises runs the same way.
 */
export async function migrateSchema(db: Kysely<any>, schema: string, migrations: Migrations): Promise<{ applied: string[] }> {
  assertSchemaName(schema);
  await createSchema(db, schema);
  const { error, results = [] } = await migrator(db, schema, migrations).migrateToLatest();
  if (error) {
    const failed = results.find((r) => r.status === 'Error')?.migrationName;
    throw new MigrationError(schema, failed, error);
  }
  return { applied: results.filter((r) => r.status === 'Success').map((r) => r.migrationName) };
}

/** Names of migrations not applied yet (empty when the schema is up to date): for /readyz. */
export async function pendingMigrations(db: Kysely<any>, schema: string, migrations: Migrations): Promise<string[]> {
  assertSchemaName(schema);
  const infos = await migrator(db, schema, migrations).getMigrations();
  return infos.filter((m) => m.executedAt === undefined).map((m) => m.name);
}

function migrator(db: Kysely<any>, schema: string, migrations: Migrations): Migrator {
  const provider: MigrationProvider = { getMigrations: async () => migrations };
  return new Migrator({ db, provider, migrationTableSchema: schema });
}

/**
 * `create schema if not exists` can still fail with a unique violation when two sessions race on
 * it, so creation is serialised by a transaction-scoped advisory lock on the schema's name.
 */
async function createSchema(db: Kysely<any>, schema: string): Promise<void> {
  await db.transaction().execute(async (trx) => {
    await sql`select pg_advisory_xact_lock(hashtext(${`parley.schema.${schema}`}))`.execute(trx);
    await trx.schema.createSchema(schema).ifNotExists().execute();
  });
}
