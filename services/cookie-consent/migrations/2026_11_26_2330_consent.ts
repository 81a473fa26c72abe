import { sql, type Kysely } from 'kysely';

/**
 * Consent configuration revisions, the per-site hash chain of consent records, and idempotency
 * keys. Revisions and records are append-only: a trigger refuses UPDATE (and DELETE of revisions),
 * so even a bug in this service cannot rewrite what a visitor was shown or chose.
 */
export async function up(db: Kysely<any>): Promise<void> {
  const s = db.schema.withSchema('consent');
  await s
    .createTable('config_revisions')
    .addColumn('site', 'text', (c) => c.notNull())
    .addColumn('revision', 'integer', (c) => c.notNull())
    .addColumn('content_hash', 'text', (c) => c.notNull())
    .addColumn('config', 'jsonb', (c) => c.notNull())
    .addColumn('created_by', 'uuid')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('config_revisions_pk', ['site', 'revision'])
    .execute();
  await s
    .createTable('chain_heads')
    .addColumn('site', 'text', (c) => c.primaryKey())
    .addColumn('seq', 'bigint', (c) => c.notNull())
    .addColumn('hash', 'text', (c) => c.notNull())
    .execute();
  await s
    .createTable('records')
    .addColumn('id', 'uuid', (c) => c.primaryKey())
    .addColumn('site', 'text', (c) => c.notNull())
    .addColumn('seq', 'bigint', (c) => c.notNull())
    .addColumn('consent_id', 'uuid', (c) => c.notNull())
    .addColumn('revision', 'integer', (c) => c.notNull())
    .addColumn('config_hash', 'text', (c) => c.notNull())
    .addColumn('action', 'text', (c) => c.notNull())
    .addColumn('accepted', 'jsonb', (c) => c.notNull())
    .addColumn('rejected', 'jsonb', (c) => c.notNull())
    .addColumn('services', 'jsonb', (c) => c.notNull())
    .addColumn('language', 'text', (c) => c.notNull())
    .addColumn('page_url', 'text', (c) => c.notNull())
    .addColumn('gpc', 'boolean', (c) => c.notNull())
    .addColumn('ip_hash', 'text', (c) => c.notNull())
    .addColumn('ip_prefix', 'text', (c) => c.notNull())
    .addColumn('user_agent', 'text', (c) => c.notNull())
    .addColumn('recorded_at', 'timestamptz', (c) => c.notNull())
    .addColumn('prev_hash', 'text', (c) => c.notNull())
    .addColumn('hash', 'text', (c) => c.notNull())
    .addUniqueConstraint('records_site_seq_uq', ['site', 'seq'])
    .execute();
  await s.createIndex('records_site_recorded_at').on('records').columns(['site', 'recorded_at']).execute();
  await s.createIndex('records_site_consent_id').on('records').columns(['site', 'consent_id', 'seq']).execute();
  await s
    .createTable('idempotency_keys')
    .addColumn('site', 'text', (c) => c.notNull())
    .addColumn('key', 'text', (c) => c.notNull())
    .addColumn('request_hash', 'text', (c) => c.notNull())
    .addColumn('response', 'jsonb')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('idempotency_keys_pk', ['site', 'key'])
    .execute();
  await s.createIndex('idempotency_keys_created_at').on('idempotency_keys').column('created_at').execute();

  await sql`
    create function consent.refuse_change() returns trigger language plpgsql as $$
    begin
      raise exception 'consent.% is append-only', tg_table_name using errcode = 'P0001';
    end $$`.execute(db);
  await sql`create trigger records_append_only before update on consent.records for each row execute function consent.refuse_change()`.execute(db);
  await sql`create trigger config_revisions_immutable before update or delete on consent.config_revisions for each row execute function consent.refuse_change()`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  const s = db.schema.withSchema('consent');
  await s.dropTable('idempotency_keys').execute();
  await s.dropTable('records').execute();
  await s.dropTable('chain_heads').execute();
  await s.dropTable('config_revisions').execute();
  await sql`drop function consent.refuse_change()`.execute(db);
}
