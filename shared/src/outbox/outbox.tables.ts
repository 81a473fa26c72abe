import { sql, type ColumnType, type Generated, type Kysely } from 'kysely';
import type { Envelope } from '../contracts/envelope';
import { assertSchemaName } from '../db/schema-name';

/** One message waiting to be published (or published and not yet pruned). */
export interface OutboxTable {
  /** The envelope id. */
  id: string;
  stream: string;
  /** Written as JSON text, read back parsed. */
  envelope: ColumnType<Envelope, string, string>;
  created_at: Generated<Date>;
  published_at: Date | null;
  /** Failed publish rounds so far (observability only). */
  attempts: Generated<number>;
}

/** One event a consumer group has applied: the redelivery guard. */
export interface InboxTable {
  consumer_group: string;
  event_id: string;
  processed_at: Generated<Date>;
}

/** Table entries to merge into a service's Kysely database type, e.g. `OutboxTables<'intake'>`. */
export type OutboxTables<S extends string> = { [K in `${S}.outbox`]: OutboxTable } & { [K in `${S}.inbox`]: InboxTable };

/** Called from a service's first migration; the schema must exist (migrateSchema creates it). */
export async function createOutboxAndInboxTables(db: Kysely<any>, schema: string): Promise<void> {
  assertSchemaName(schema);
  const s = db.schema.withSchema(schema);
  await s
    .createTable('outbox')
    .addColumn('id', 'uuid', (c) => c.primaryKey())
    .addColumn('stream', 'text', (c) => c.notNull())
    .addColumn('envelope', 'jsonb', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('published_at', 'timestamptz')
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
  // The relay's scan: only pending rows, in publishing order; stays tiny while the relay keeps up.
  await sql`create index outbox_pending_idx on ${sql.table(`${schema}.outbox`)} (created_at, id) where published_at is null`.execute(db);
  // The pruner's scan over published rows.
  await sql`create index outbox_published_idx on ${sql.table(`${schema}.outbox`)} (published_at) where published_at is not null`.execute(db);
  await s
    .createTable('inbox')
    .addColumn('consumer_group', 'text', (c) => c.notNull())
    .addColumn('event_id', 'uuid', (c) => c.notNull())
    .addColumn('processed_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('inbox_pk', ['consumer_group', 'event_id'])
    .execute();
  await sql`create index inbox_processed_idx on ${sql.table(`${schema}.inbox`)} (processed_at)`.execute(db);
}
