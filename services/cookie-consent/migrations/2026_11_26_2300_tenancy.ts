import type { Kysely } from 'kysely';
import { createOutboxAndInboxTables, createTenancyReadModelTables } from '@parley/shared';

/** The read model of sites and API keys (from moderation-queue's events), and the outbox/inbox. */
export async function up(db: Kysely<any>): Promise<void> {
  await createTenancyReadModelTables(db, 'consent');
  await createOutboxAndInboxTables(db, 'consent');
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.withSchema('consent').dropTable('api_keys').execute();
  await db.schema.withSchema('consent').dropTable('sites').execute();
}
