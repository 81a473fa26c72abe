import type { Kysely } from 'kysely';
import { createOutboxAndInboxTables, createTenancyReadModelTables } from '@parley/shared';

/** The read model of sites and API keys (from moderation-queue's events), and the outbox/inbox. */
export async function up(db: Kysely<any>): Promise<void> {
  await createTenancyReadModelTables(db, 'intake');
  await createOutboxAndInboxTables(db, 'intake');
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.withSchema('intake').dropTable('api_keys').execute();
  await db.schema.withSchema('intake').dropTable('sites').execute();
}
