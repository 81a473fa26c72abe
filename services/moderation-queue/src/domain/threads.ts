import { insertAuditEntry } from '../repositories/audit.repository';
import { setThreadClosed } from '../repositories/thread.repository';
import type { Actor, UseCaseContext } from './context';

/** Closes (or reopens) a thread: comments submitted after the close are rejected with THREAD_CLOSED. */
export async function closeThread(ctx: UseCaseContext, actor: Actor, site: string, threadId: string, closed: boolean): Promise<{ threadId: string; closedAt: string | null }> {
  const now = ctx.now?.() ?? new Date();
  const closedAt = closed ? now : null;
  await ctx.db.transaction().execute(async (trx) => {
    await setThreadClosed(trx, site, threadId, closedAt);
    await insertAuditEntry(trx, { keyId: actor.keyId, site, action: closed ? 'thread.close' : 'thread.reopen', target: threadId, before: null, after: { closedAt } });
  });
  return { threadId, closedAt: closedAt?.toISOString() ?? null };
}
