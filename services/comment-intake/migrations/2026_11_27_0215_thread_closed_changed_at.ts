import type { Kysely } from 'kysely';

/**
 * When moderation last closed or reopened a thread (`threads.changed`): a redelivered, older event
 * must not undo a newer one, and a reopen (closed_at null) carries no time of its own.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.withSchema('intake').alterTable('threads').addColumn('closed_changed_at', 'timestamptz').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.withSchema('intake').alterTable('threads').dropColumn('closed_changed_at').execute();
}
