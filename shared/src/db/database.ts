import { mkdir } from 'node:fs/promises';
import { PGlite, types } from '@electric-sql/pglite';
import { Kysely, PostgresDialect, sql } from 'kysely';
import { Pool } from 'pg';
import { silentLogger, type Logger } from '../logger';
import { SerialPgliteDialect } from './pglite-dialect';

export interface DatabaseOptions {
  /** Set → Postgres over a pg Pool (production). Unset → PGlite (embedded mode). */
  databaseUrl?: string;
  /** PGlite data directory, e.g. `./data/pg`; undefined or `memory://` keeps it in memory. */
  dataDir?: string;
  /** A PGlite shared with other services in this process; it is left open by close(). */
  pglite?: PGlite;
  /** pg Pool size (default 10). */
  poolSize?: number;
  logger?: Logger;
}

export interface DatabaseHandle<DB> {
  db: Kysely<DB>;
  kind: 'postgres' | 'pglite';
  /** True when a trivial query succeeds (for /readyz). */
  ping(): Promise<boolean>;
  /** Releases the pool, or the PGlite if this handle created it. Safe to call twice. */
  close(): Promise<void>;
}

/**
 * A PGlite database, in memory or in `dataDir`. Bigints come back as strings, as they do from pg,
 * so repositories behave the same on both.
 */
export async function createPglite(dataDir?: string): Promise<PGlite> {
  const inMemory = dataDir === undefined || dataDir.startsWith('memory://');
  if (!inMemory) await mkdir(dataDir, { recursive: true });
  return PGlite.create(inMemory ? undefined : dataDir, { parsers: { [types.INT8]: (value: string) => value } });
}

export async function createDatabase<DB>(options: DatabaseOptions = {}): Promise<DatabaseHandle<DB>> {
  const logger = options.logger ?? silentLogger;
  if (options.databaseUrl) return overPostgres<DB>(options.databaseUrl, options.poolSize ?? 10, logger);
  const owned = !options.pglite;
  const pglite = options.pglite ?? (await createPglite(options.dataDir));
  const db = new Kysely<DB>({ dialect: new SerialPgliteDialect(pglite) });
  return handle(db, 'pglite', async () => {
    if (owned && !pglite.closed) await pglite.close();
  });
}

function overPostgres<DB>(connectionString: string, max: number, logger: Logger): DatabaseHandle<DB> {
  const pool = new Pool({
    connectionString,
    max,
    // Fail fast (→ 503) instead of queueing forever when Postgres is away or the pool is exhausted.
    connectionTimeoutMillis: 5000,
    // No JIT compilation (ADR 0019): our statements are short, and once a table's estimated size puts
    // one past jit_above_cost, every call compiled it again (70 ms of CPU for a 1 ms batch insert).
    // An `options` parameter in DATABASE_URL replaces this one.
    options: '-c jit=off',
  });
  // A connection lost while Postgres restarts is emitted as 'error' by the pool (idle clients) or
  // by the client itself (checked-out clients); unhandled, either would crash the process. The
  // query in flight fails on its own, and the pool discards the broken client on release.
  const lost = (err: Error & { code?: string }) => {
    logger.warn({ err: { code: err.code, message: err.message } }, 'Postgres connection lost');
  };
  pool.on('error', lost);
  pool.on('connect', (client) => client.on('error', lost));
  return handle(new Kysely<DB>({ dialect: new PostgresDialect({ pool }) }), 'postgres', async () => {
    // Kysely ends the pool only if it was ever used.
    if (!pool.ended) await pool.end();
  });
}

function handle<DB>(db: Kysely<DB>, kind: DatabaseHandle<DB>['kind'], afterDestroy: () => Promise<void>): DatabaseHandle<DB> {
  let closing: Promise<void> | undefined;
  return {
    db,
    kind,
    async ping() {
      if (closing) return false;
      try {
        await sql`select 1`.execute(db);
        return true;
      } catch {
        return false;
      }
    },
    close() {
      closing ??= db.destroy().then(afterDestroy);
      return closing;
    },
  };
}
