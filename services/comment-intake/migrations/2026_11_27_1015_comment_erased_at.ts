import type { Kysely } from 'kysely';

/**
 * When a comment's personal data was erased (a privacy request): the row stays, as a tombstone that
 * keeps its replies' threading and its id known to moderation's events, with nothing of its author.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.withSchema('intake').alterTable('comments').addColumn('erased_at', 'timestamptz').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.withSchema('intake').alterTable('comments').dropColumn('erased_at').execute();
}
