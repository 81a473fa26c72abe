import type { Kysely } from 'kysely';
import { uuidv7 } from '@parley/shared';
import { SCHEMA, type CommentEventTable, type ModerationDb } from '../db/tables';

type Db = Kysely<ModerationDb>;

export async function insertCommentEvent(db: Db, e: Omit<CommentEventTable, 'id'>): Promise<void> {
  await db
    .withSchema(SCHEMA)
    .insertInto('comment_events')
    .values({ id: uuidv7(e.at.getTime()), ...e, reasons: JSON.stringify(e.reasons) as never })
    .execute();
}

/** Several history entries in one statement. */
export async function insertCommentEvents(db: Db, events: readonly Omit<CommentEventTable, 'id'>[]): Promise<void> {
  if (events.length === 0) return;
  await db
    .withSchema(SCHEMA)
    .insertInto('comment_events')
    .values(events.map((e) => ({ id: uuidv7(e.at.getTime()), ...e, reasons: JSON.stringify(e.reasons) as never })))
    .execute();
}

export async function listCommentEvents(db: Db, commentId: string) {
  return db.withSchema(SCHEMA).selectFrom('comment_events').selectAll().where('comment_id', '=', commentId).orderBy('at').orderBy('id').execute();
}
