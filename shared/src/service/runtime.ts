import type { PGlite } from '@electric-sql/pglite';
import type { HttpApp } from '../http/fast/frame';
import type { Migration } from 'kysely/migration';
import { hostname } from 'node:os';
import type { CommonConfig } from '../config';
import { createDatabase, migrateSchema, pendingMigrations, type DatabaseHandle } from '../db';
import type { ReadinessCheck } from '../http/health.routes';
import type { Logger } from '../logger';
import type { Metrics } from '../metrics';
import type { StreamTransport } from '../streams/transport';

/** What every service is built from; the embedded mode hands the same db and transport to all three. */
export interface ServiceDeps<C extends CommonConfig = CommonConfig> {
  config: C;
  logger: Logger;
  metrics: Metrics;
  db: DatabaseHandle<any>;
  transport: StreamTransport;
  /** Consumer name within the service's group: unique per process. */
  consumerName: string;
}

export interface ServiceInstance {
  name: string;
  /** Express, or Express behind the fast routes (`withFastRoutes`). */
  app: HttpApp;
  /** Starts consumers, relays and jobs. */
  start(): Promise<void>;
  /** Stops consumers and relays, letting in-flight work finish. */
  stop(): Promise<void>;
}

export interface ServiceModule<C extends CommonConfig = CommonConfig> {
  name: string;
  /** The Postgres schema the service owns. */
  schema: string;
  migrations: Record<string, Migration>;
  create(deps: ServiceDeps<C>): Promise<ServiceInstance>;
}

export function defaultConsumerName(service: string): string {
  return `${service}@${hostname()}:${process.pid}`;
}

/** Postgres reachable, Redis reachable (if used), and no migration left to apply. */
export function readinessChecks(
  db: DatabaseHandle<any>,
  transport: StreamTransport,
  schema: string,
  migrations: Record<string, Migration>,
): Record<string, ReadinessCheck> {
  return {
    database: () => db.ping(),
    streams: () => transport.ping(),
    migrations: async () => {
      const pending = await pendingMigrations(db.db, schema, migrations);
      return pending.length === 0 ? true : `pending: ${pending.join(', ')}`;
    },
  };
}

export async function openDatabase(
  config: CommonConfig,
  logger: Logger,
  pglite?: PGlite,
): Promise<DatabaseHandle<any>> {
  return createDatabase({ databaseUrl: config.DATABASE_URL, dataDir: `${config.DATA_DIR}/pg`, pglite, logger, poolSize: config.PG_POOL_SIZE });
}

export async function migrateService(db: DatabaseHandle<any>, module: Pick<ServiceModule, 'schema' | 'migrations'>, logger: Logger): Promise<void> {
  const { applied } = await migrateSchema(db.db, module.schema, module.migrations);
  if (applied.length) logger.info({ schema: module.schema, applied }, 'migrations applied');
}
