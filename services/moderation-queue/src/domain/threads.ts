import { Streams, enqueue, makeEnvelope, type ThreadsChangedV1 } from '@parley/shared';
import { SCHEMA } from '../db/tables';
import { insertAuditEntry } from '../repositories/audit.repository';
import { setThreadClosed } from '../repositories/thread.repository';
import type { Actor, UseCaseContext } from './context';

/**
 * Closes (or reopens) a thread: comments submitted after the close are rejected with THREAD_CLOSED.
 * `threads.changed` leaves through the outbox in the same transaction, so comment-intake learns of
 * every close and reopen that committed (and of none that did not) and stops offering the form.
 */
export async function closeThread(ctx: UseCaseContext, actor: Actor, site: string, threadId: string, closed: boolean): Promise<{ threadId: string; closedAt: string | null }> {
  const now = ctx.now?.() ?? new Date();
  const closedAt = closed ? now : null;
  await ctx.db.transaction().execute(async (trx) => {
    await setThreadClosed(trx, site, threadId, closedAt);
    await insertAuditEntry(trx, { keyId: actor.keyId, site, action: closed ? 'thread.close' : 'thread.reopen', target: threadId, before: null, after: { closedAt } });
    await enqueue(trx, SCHEMA, Streams.threadsChanged, threadsChanged(site, { threadId, closedAt: closedAt?.toISOString() ?? null }, now));
  });
  ctx.afterCommit();
  return { threadId, closedAt: closedAt?.toISOString() ?? null };
}

export function threadsChanged(site: string, payload: ThreadsChangedV1['payload'], now: Date): ThreadsChangedV1 {
  return makeEnvelope(Streams.threadsChanged, 1, site, payload, now) as ThreadsChangedV1;
}
