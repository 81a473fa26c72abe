import { sql, type Kysely } from 'kysely';

/**
 * When a comment's personal data was erased (a privacy request, or the retention of unpublished
 * comments): the row stays, as a tombstone that keeps its replies' threading and its id known to
 * moderation's events, with nothing of its author. The partial index holds only unpublished comments
 * not yet erased, for the retention job: the submit path's inserts (pending) never enter it.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.withSchema('intake').alterTable('comments').addColumn('erased_at', 'timestamptz').execute();
  await sql`
    create index comments_unpublished_idx on intake.comments (status_changed_at)
     where erased_at is null and status in ('spam', 'rejected', 'removed', 'deleted')`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop index if exists intake.comments_unpublished_idx`.execute(db);
  await db.schema.withSchema('intake').alterTable('comments').dropColumn('erased_at').execute();
}
