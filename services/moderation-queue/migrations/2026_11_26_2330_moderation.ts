import { sql, type Kysely } from 'kysely';

/**
 * The moderation read model (comments as moderators see them, their history, reports), authors,
 * bans, per-site policy (word lists, thresholds), the spam classifier's counts, threads, webhooks.
 */
export async function up(db: Kysely<any>): Promise<void> {
  const s = db.schema.withSchema('moderation');
  await s
    .createTable('comments')
    .addColumn('id', 'uuid', (c) => c.primaryKey())
    .addColumn('site', 'text', (c) => c.notNull())
    .addColumn('thread_id', 'text', (c) => c.notNull())
    .addColumn('thread_url', 'text')
    .addColumn('parent_id', 'uuid')
    .addColumn('author_key', 'text', (c) => c.notNull())
    .addColumn('author_name', 'text', (c) => c.notNull())
    .addColumn('author_website', 'text')
    .addColumn('author_email_domain', 'text')
    .addColumn('author_email_hash', 'text')
    .addColumn('author_ip_hash', 'text', (c) => c.notNull())
    .addColumn('author_ip_prefix', 'text', (c) => c.notNull())
    .addColumn('author_fingerprint', 'text', (c) => c.notNull())
    .addColumn('text', 'text', (c) => c.notNull())
    .addColumn('text_hash', 'text', (c) => c.notNull())
    .addColumn('signals', 'jsonb', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('reasons', 'jsonb', (c) => c.notNull())
    .addColumn('rules', 'jsonb', (c) => c.notNull())
    .addColumn('spam_score', 'double precision')
    .addColumn('trained_as', 'text')
    .addColumn('report_count', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('submitted_at', 'timestamptz', (c) => c.notNull())
    .addColumn('received_at', 'timestamptz', (c) => c.notNull())
    .addColumn('decided_at', 'timestamptz')
    .addColumn('decided_by', 'text')
    .addColumn('human_decided_at', 'timestamptz')
    .execute();
  await sql`create index comments_queue_idx on moderation.comments (site, state, submitted_at desc, id desc)`.execute(db);
  await sql`create index comments_author_idx on moderation.comments (site, author_key, submitted_at desc)`.execute(db);
  await sql`create index comments_thread_idx on moderation.comments (site, thread_id, submitted_at desc)`.execute(db);
  await sql`create index comments_reported_idx on moderation.comments (site, submitted_at desc, id desc) where report_count > 0`.execute(db);
  await sql`create index comments_rules_idx on moderation.comments using gin (rules jsonb_path_ops)`.execute(db);

  await s
    .createTable('comment_events')
    .addColumn('id', 'uuid', (c) => c.primaryKey())
    .addColumn('comment_id', 'uuid', (c) => c.notNull())
    .addColumn('site', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('from_state', 'text')
    .addColumn('to_state', 'text')
    .addColumn('reasons', 'jsonb', (c) => c.notNull())
    .addColumn('actor_kind', 'text', (c) => c.notNull())
    .addColumn('actor_key_id', 'uuid')
    .addColumn('note', 'text')
    .addColumn('at', 'timestamptz', (c) => c.notNull())
    .execute();
  await s.createIndex('comment_events_comment_idx').on('comment_events').columns(['comment_id', 'at']).execute();

  // Reports may arrive before the comment (two streams, no order between them): kept on their own.
  await s
    .createTable('reports')
    .addColumn('id', 'uuid', (c) => c.primaryKey())
    .addColumn('site', 'text', (c) => c.notNull())
    .addColumn('comment_id', 'uuid', (c) => c.notNull())
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('note', 'text')
    .addColumn('reporter_fingerprint', 'text', (c) => c.notNull())
    .addColumn('reported_at', 'timestamptz', (c) => c.notNull())
    .addUniqueConstraint('reports_once_per_reader', ['comment_id', 'reporter_fingerprint'])
    .execute();

  await s
    .createTable('authors')
    .addColumn('site', 'text', (c) => c.notNull())
    .addColumn('author_key', 'text', (c) => c.notNull())
    .addColumn('trusted', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('approved_count', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('authors_pk', ['site', 'author_key'])
    .execute();

  await s
    .createTable('bans')
    .addColumn('id', 'uuid', (c) => c.primaryKey())
    .addColumn('site', 'text', (c) => c.notNull())
    .addColumn('author_key', 'text', (c) => c.notNull())
    .addColumn('email_hash', 'text')
    .addColumn('ip_hash', 'text')
    .addColumn('fingerprint', 'text')
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'timestamptz')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .addColumn('created_by', 'uuid')
    .addColumn('lifted_at', 'timestamptz')
    .execute();
  await sql`create index bans_active_idx on moderation.bans (site) where lifted_at is null`.execute(db);

  await s
    .createTable('policies')
    .addColumn('site', 'text', (c) => c.primaryKey())
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('words_version', 'integer', (c) => c.notNull())
    .addColumn('disallowed_words', 'jsonb', (c) => c.notNull())
    .addColumn('suspect_words', 'jsonb', (c) => c.notNull())
    .addColumn('reports_hold', 'boolean', (c) => c.notNull())
    .addColumn('spam_hold_threshold', 'double precision', (c) => c.notNull())
    .addColumn('spam_threshold', 'double precision', (c) => c.notNull())
    .addColumn('duplicate_window_minutes', 'integer', (c) => c.notNull())
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull())
    .execute();

  await s
    .createTable('threads')
    .addColumn('site', 'text', (c) => c.notNull())
    .addColumn('thread_id', 'text', (c) => c.notNull())
    .addColumn('first_seen_at', 'timestamptz', (c) => c.notNull())
    .addColumn('closed_at', 'timestamptz')
    .addPrimaryKeyConstraint('threads_pk', ['site', 'thread_id'])
    .execute();

  await s
    .createTable('spam_tokens')
    .addColumn('site', 'text', (c) => c.notNull())
    .addColumn('token', 'text', (c) => c.notNull())
    .addColumn('spam', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('ham', 'integer', (c) => c.notNull().defaultTo(0))
    .addPrimaryKeyConstraint('spam_tokens_pk', ['site', 'token'])
    .execute();

  await s
    .createTable('webhooks')
    .addColumn('id', 'uuid', (c) => c.primaryKey())
    .addColumn('site', 'text', (c) => c.notNull())
    .addColumn('url', 'text', (c) => c.notNull())
    .addColumn('secret', 'text', (c) => c.notNull())
    .addColumn('events', 'jsonb', (c) => c.notNull())
    .addColumn('active', 'boolean', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .execute();
  await s.createIndex('webhooks_site_idx').on('webhooks').column('site').execute();

  await s
    .createTable('webhook_deliveries')
    .addColumn('id', 'uuid', (c) => c.primaryKey())
    .addColumn('webhook_id', 'uuid', (c) => c.notNull())
    .addColumn('site', 'text', (c) => c.notNull())
    .addColumn('event', 'text', (c) => c.notNull())
    .addColumn('body', 'text', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('next_attempt_at', 'timestamptz', (c) => c.notNull())
    .addColumn('delivered_at', 'timestamptz')
    .addColumn('failed_at', 'timestamptz')
    .addColumn('last_error', 'text')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .execute();
  await sql`create index webhook_deliveries_due_idx on moderation.webhook_deliveries (next_attempt_at) where delivered_at is null and failed_at is null`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  const s = db.schema.withSchema('moderation');
  for (const t of ['webhook_deliveries', 'webhooks', 'spam_tokens', 'threads', 'policies', 'bans', 'authors', 'reports', 'comment_events', 'comments']) {
    await s.dropTable(t).execute();
  }
}
