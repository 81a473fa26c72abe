import type { Kysely } from 'kysely';

/**
 * Marks outbox rows published in the last `windowMs` as unpublished again, so the relay sends them
 * once more. Used only with the in-process transport, whose queues die with the process.
 */
export async function replayRecentOutbox(db: Kysely<any>, schemas: string[], windowMs = 3_600_000): Promise<void> {
  const since = new Date(Date.now() - windowMs);
  for (const schema of schemas) {
    await db.withSchema(schema).updateTable('outbox').set({ published_at: null }).where('published_at', '>', since).execute();
  }
}
