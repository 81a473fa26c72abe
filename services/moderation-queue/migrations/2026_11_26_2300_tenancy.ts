import { sql, type Kysely } from 'kysely';
import { createOutboxAndInboxTables } from '@parley/shared';

/** Sites and API keys (the source of truth), the audit log, and the outbox/inbox. */
export async function up(db: Kysely<any>): Promise<void> {
  const s = db.schema.withSchema('moderation');
  await s
    .createTable('sites')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('allowed_origins', 'jsonb', (c) => c.notNull())
    .addColumn('settings', 'jsonb', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull().defaultTo('active'))
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull())
    .execute();
  await s
    .createTable('api_keys')
    .addColumn('id', 'uuid', (c) => c.primaryKey())
    .addColumn('prefix', 'text', (c) => c.notNull())
    .addColumn('hash', 'text', (c) => c.notNull().unique())
    .addColumn('role', 'text', (c) => c.notNull())
    .addColumn('sites', 'jsonb', (c) => c.notNull())
    .addColumn('label', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('revoked_at', 'timestamptz')
    .addColumn('version', 'integer', (c) => c.notNull())
    .execute();
  await s
    .createTable('audit_log')
    .addColumn('id', 'uuid', (c) => c.primaryKey())
    .addColumn('key_id', 'uuid')
    .addColumn('site', 'text')
    .addColumn('action', 'text', (c) => c.notNull())
    .addColumn('target', 'text', (c) => c.notNull())
    .addColumn('before', 'jsonb')
    .addColumn('after', 'jsonb')
    .addColumn('at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await s.createIndex('audit_log_site_at').on('audit_log').columns(['site', 'at']).execute();
  await createOutboxAndInboxTables(db, 'moderation');
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.withSchema('moderation').dropTable('audit_log').execute();
  await db.schema.withSchema('moderation').dropTable('api_keys').execute();
  await db.schema.withSchema('moderation').dropTable('sites').execute();
}
