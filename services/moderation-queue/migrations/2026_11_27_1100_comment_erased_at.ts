import { sql, type Kysely } from 'kysely';

/**
 * When a comment's personal data was erased (a privacy request, or retention of unpublished
 * comments, DESIGN §7); null while it still has it. Comments a privacy request erased before this
 * column existed take the time of their request, so retention does not erase them a second time.
 * The partial index holds only comments retention may still have to erase, in the order of the
 * time it counts from: approved, held and pending comments (most of what the pipeline stores)
 * never enter it, and an erased comment leaves it.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.withSchema('moderation').alterTable('comments').addColumn('erased_at', 'timestamptz').execute();
  await sql`
    update moderation.comments c set erased_at = e.erased_at
      from moderation.erased_comments e
     where e.comment_id = c.id and e.site = c.site`.execute(db);
  await sql`
    create index comments_retention_idx on moderation.comments ((coalesce(decided_at, submitted_at)))
     where erased_at is null and state in ('spam', 'rejected', 'removed', 'deleted')`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop index moderation.comments_retention_idx`.execute(db);
  await db.schema.withSchema('moderation').alterTable('comments').dropColumn('erased_at').execute();
}
