import { PoisonMessageError, type ThreadsChangedV1 } from '@parley/shared';
import type { Kysely } from 'kysely';
import type { IntakeDb } from '../db/tables';
import { updateThreadClosed } from '../repositories/thread.repository';

export interface AppliedThreadChange {
  site: string;
  thread: string;
  /** Whether the thread is closed now. */
  closed: boolean;
}

/**
 * A moderator closed (`closedAt`) or reopened (null) a thread: intake's copy follows, so the widget
 * stops offering the form and the submit answers 409 at once. The event's time orders the changes
 * of one thread: a redelivered older one is a no-op. A thread intake has not seen yet is created
 * (closed before its first comment). Undefined when nothing changed.
 */
export async function applyThreadChange(trx: Kysely<IntakeDb>, event: ThreadsChangedV1): Promise<AppliedThreadChange | undefined> {
  if (event.site === '*') throw new PoisonMessageError('threads.changed names no site');
  const { threadId, closedAt } = event.payload;
  const changed = await updateThreadClosed(trx, event.site, threadId, closedAt ? new Date(closedAt) : null, new Date(event.occurredAt));
  return changed ? { site: event.site, thread: threadId, closed: closedAt !== null } : undefined;
}
