import { sql, type Kysely } from 'kysely';

/** Threads, comments, reader reports and idempotency keys of the public comment API. */
export async function up(db: Kysely<any>): Promise<void> {
  const s = db.schema.withSchema('intake');
  await s
    .createTable('threads')
    .addColumn('site_id', 'text', (c) => c.notNull())
    .addColumn('id', 'text', (c) => c.notNull())
    .addColumn('url', 'text')
    .addColumn('title', 'text')
    .addColumn('closed_at', 'timestamptz')
    .addColumn('approved_count', 'integer', (c) => c.notNull().defaultTo(0))
    // Grows on every change a reader can see: the ETag of the thread's pages.
    .addColumn('version', 'bigint', (c) => c.notNull().defaultTo(1))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('threads_pk', ['site_id', 'id'])
    .execute();
  await s
    .createTable('comments')
    .addColumn('id', 'uuid', (c) => c.primaryKey())
    .addColumn('site_id', 'text', (c) => c.notNull())
    .addColumn('thread_id', 'text', (c) => c.notNull())
    .addColumn('parent_id', 'uuid')
    // The top-level comment of this one's branch (itself when top-level): one query loads a page's replies.
    .addColumn('root_id', 'uuid', (c) => c.notNull())
    .addColumn('depth', 'integer', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('author_name', 'text', (c) => c.notNull())
    .addColumn('author_website', 'text')
    .addColumn('email_encrypted', 'bytea')
    .addColumn('email_hash', 'text')
    .addColumn('email_domain', 'text')
    .addColumn('ip_hash', 'text', (c) => c.notNull())
    .addColumn('ip_prefix', 'text', (c) => c.notNull())
    .addColumn('fingerprint', 'text', (c) => c.notNull())
    .addColumn('author_token_hash', 'text', (c) => c.notNull())
    .addColumn('text', 'text', (c) => c.notNull())
    .addColumn('signals', 'jsonb', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .addColumn('status_changed_at', 'timestamptz', (c) => c.notNull())
    .execute();
  // Public reads: approved comments of one thread, in time order (keyset pagination).
  await sql`create index comments_thread_approved_idx on intake.comments (site_id, thread_id, created_at, id) where status = 'approved'`.execute(db);
  await sql`create index comments_root_idx on intake.comments (root_id) where status = 'approved'`.execute(db);
  await sql`create index comments_email_hash_idx on intake.comments (email_hash) where email_hash is not null`.execute(db);
  await s
    .createTable('reports')
    .addColumn('id', 'uuid', (c) => c.primaryKey())
    .addColumn('comment_id', 'uuid', (c) => c.notNull())
    .addColumn('fingerprint', 'text', (c) => c.notNull())
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('note', 'text')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addUniqueConstraint('reports_one_per_reader', ['comment_id', 'fingerprint'])
    .execute();
  await s
    .createTable('idempotency_keys')
    .addColumn('site_id', 'text', (c) => c.notNull())
    .addColumn('key', 'text', (c) => c.notNull())
    .addColumn('request_hash', 'text', (c) => c.notNull())
    .addColumn('status', 'integer', (c) => c.notNull())
    .addColumn('response', 'jsonb', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('idempotency_keys_pk', ['site_id', 'key'])
    .execute();
  await sql`create index idempotency_keys_created_idx on intake.idempotency_keys (created_at)`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const t of ['idempotency_keys', 'reports', 'comments', 'threads']) await db.schema.withSchema('intake').dropTable(t).execute();
}
