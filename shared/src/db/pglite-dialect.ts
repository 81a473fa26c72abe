import type { PGlite } from '@electric-sql/pglite';
import {
  CompiledQuery,
  PostgresAdapter,
  PostgresIntrospector,
  PostgresQueryCompiler,
  type DatabaseConnection,
  type Dialect,
  type Driver,
  type Kysely,
  type QueryResult,
  type TransactionSettings,
} from 'kysely';
import { Mutex } from './mutex';

/**
 * PGlite is one Postgres session. A Kysely transaction is BEGIN … COMMIT sent as separate
 * statements, so any statement from elsewhere that runs in between lands inside it (and is rolled
 * back with it). kysely-pglite-dialect queues connection requests per Kysely instance only, while
 * the embedded mode runs three services — three Kysely instances — on one PGlite; its destroy()
 * also closes the PGlite that the others still use. Hence this dialect: one lock per PGlite,
 * shared by every Kysely instance over it, held from acquireConnection to releaseConnection.
 */
const CHANGING = new Set(['INSERT', 'UPDATE', 'DELETE', 'MERGE']);
const locks = new WeakMap<PGlite, Mutex>();

function lockFor(pglite: PGlite): Mutex {
  let mutex = locks.get(pglite);
  if (!mutex) {
    mutex = new Mutex();
    locks.set(pglite, mutex);
  }
  return mutex;
}

export class SerialPgliteDialect implements Dialect {
  constructor(private readonly pglite: PGlite) {}

  createAdapter() {
    return new PostgresAdapter();
  }

  createDriver(): Driver {
    return new SerialPgliteDriver(this.pglite);
  }

  createQueryCompiler() {
    return new PostgresQueryCompiler();
  }

  createIntrospector(db: Kysely<unknown>) {
    return new PostgresIntrospector(db);
  }
}

class PgliteConnection implements DatabaseConnection {
  constructor(
    private readonly pglite: PGlite,
    readonly release: () => void,
  ) {}

  async executeQuery<R>(query: CompiledQuery): Promise<QueryResult<R>> {
    const result = await this.pglite.query<R>(query.sql, [...query.parameters]);
    // Like the pg driver: a row count only for statements that change rows.
    const changes = result.command !== undefined && CHANGING.has(result.command);
    return changes ? { rows: result.rows, numAffectedRows: BigInt(result.affectedRows ?? 0) } : { rows: result.rows };
  }

  // PGlite has no cursors: the whole result is read, then handed out in chunks.
  async *streamQuery<R>(query: CompiledQuery, chunkSize = 100): AsyncIterableIterator<QueryResult<R>> {
    const { rows } = await this.executeQuery<R>(query);
    for (let i = 0; i < rows.length; i += chunkSize) yield { rows: rows.slice(i, i + chunkSize) };
  }
}

class SerialPgliteDriver implements Driver {
  private readonly mutex: Mutex;

  constructor(private readonly pglite: PGlite) {
    this.mutex = lockFor(pglite);
  }

  async init(): Promise<void> {
    await this.pglite.waitReady;
  }

  async acquireConnection(): Promise<DatabaseConnection> {
    const release = await this.mutex.lock();
    return new PgliteConnection(this.pglite, release);
  }

  async releaseConnection(connection: DatabaseConnection): Promise<void> {
    const conn = connection as PgliteConnection;
    try {
      // A raw BEGIN left open (e.g. through db.connection()) would swallow the next holder's statements.
      if (!this.pglite.closed && this.pglite.isInTransaction()) await this.pglite.query('rollback');
    } finally {
      conn.release();
    }
  }

  async beginTransaction(conn: DatabaseConnection, settings: TransactionSettings): Promise<void> {
    const parts = ['start transaction'];
    if (settings.isolationLevel) parts.push(`isolation level ${settings.isolationLevel}`);
    if (settings.accessMode) parts.push(settings.accessMode);
    await conn.executeQuery(CompiledQuery.raw(parts.join(' ')));
  }

  async commitTransaction(conn: DatabaseConnection): Promise<void> {
    await conn.executeQuery(CompiledQuery.raw('commit'));
  }

  async rollbackTransaction(conn: DatabaseConnection): Promise<void> {
    await conn.executeQuery(CompiledQuery.raw('rollback'));
  }

  async savepoint(conn: DatabaseConnection, name: string): Promise<void> {
    await conn.executeQuery(CompiledQuery.raw(`savepoint ${quoteIdent(name)}`));
  }

  async rollbackToSavepoint(conn: DatabaseConnection, name: string): Promise<void> {
    await conn.executeQuery(CompiledQuery.raw(`rollback to savepoint ${quoteIdent(name)}`));
  }

  async releaseSavepoint(conn: DatabaseConnection, name: string): Promise<void> {
    await conn.executeQuery(CompiledQuery.raw(`release savepoint ${quoteIdent(name)}`));
  }

  /** The PGlite may be shared with other Kysely instances: whoever created it closes it. */
  async destroy(): Promise<void> {}
}

function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}
