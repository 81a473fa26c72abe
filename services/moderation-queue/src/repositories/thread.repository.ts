import type { Kysely } from 'kysely';
import { SCHEMA, type ModerationDb } from '../db/tables';

type Db = Kysely<ModerationDb>;

/** The thread as moderation knows it: created when its first comment arrives. */
export async function ensureThread(db: Db, site: string, threadId: string, seenAt: Date): Promise<{ firstSeenAt: Date; closedAt: Date | null }> {
  await db
    .withSchema(SCHEMA)
    .insertInto('threads')
    .values({ site, thread_id: threadId, first_seen_at: seenAt, closed_at: null })
    .onConflict((oc) => oc.columns(['site', 'thread_id']).doNothing())
    .execute();
  const row = await db
    .withSchema(SCHEMA)
    .selectFrom('threads')
    .select(['first_seen_at', 'closed_at'])
    .where('site', '=', site)
    .where('thread_id', '=', threadId)
    .executeTakeFirstOrThrow();
  return { firstSeenAt: row.first_seen_at, closedAt: row.closed_at };
}

export async function setThreadClosed(db: Db, site: string, threadId: string, closedAt: Date | null): Promise<void> {
  await db
    .withSchema(SCHEMA)
    .insertInto('threads')
    .values({ site, thread_id: threadId, first_seen_at: closedAt ?? new Date(), closed_at: closedAt })
    .onConflict((oc) => oc.columns(['site', 'thread_id']).doUpdateSet({ closed_at: closedAt }))
    .execute();
}
