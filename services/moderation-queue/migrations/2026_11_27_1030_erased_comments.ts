import type { Kysely } from 'kysely';

/**
 * Comments erased by a privacy request, by id and site. A request may name a comment whose
 * `comments.submitted` has not reached moderation yet (the streams have no order between them):
 * the row here makes the pipeline drop it when it comes, instead of storing what intake erased.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .withSchema('moderation')
    .createTable('erased_comments')
    .addColumn('comment_id', 'uuid', (c) => c.notNull())
    .addColumn('site', 'text', (c) => c.notNull())
    .addColumn('request_id', 'uuid', (c) => c.notNull())
    .addColumn('erased_at', 'timestamptz', (c) => c.notNull())
    .addPrimaryKeyConstraint('erased_comments_pk', ['comment_id', 'site'])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.withSchema('moderation').dropTable('erased_comments').execute();
}
