import type { Kysely } from 'kysely';

/** Acceptance statistics per site, day and category (and per action), built from `consent.recorded`. */
export async function up(db: Kysely<any>): Promise<void> {
  const s = db.schema.withSchema('consent');
  await s
    .createTable('daily_category_stats')
    .addColumn('site', 'text', (c) => c.notNull())
    .addColumn('day', 'date', (c) => c.notNull())
    .addColumn('category', 'text', (c) => c.notNull())
    .addColumn('accepted', 'integer', (c) => c.notNull())
    .addColumn('rejected', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('daily_category_stats_pk', ['site', 'day', 'category'])
    .execute();
  await s
    .createTable('daily_action_stats')
    .addColumn('site', 'text', (c) => c.notNull())
    .addColumn('day', 'date', (c) => c.notNull())
    .addColumn('action', 'text', (c) => c.notNull())
    .addColumn('records', 'integer', (c) => c.notNull())
    .addColumn('gpc', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('daily_action_stats_pk', ['site', 'day', 'action'])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.withSchema('consent').dropTable('daily_action_stats').execute();
  await db.schema.withSchema('consent').dropTable('daily_category_stats').execute();
}
