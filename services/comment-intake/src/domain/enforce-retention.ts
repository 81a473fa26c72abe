import { eraseCommentRows, lockUnpublishedBefore } from '../repositories/personal-data.repository';
import type { IntakeContext } from './context';

/** Comments erased per transaction: a first run on a large table never holds one huge one. */
const CHUNK = 1_000;

/**
 * Retention of unpublished comments (DESIGN §7): spam, rejected, removed and deleted comments whose
 * status has not changed for `days` lose their author's personal data, as a privacy erasure would
 * take it, and keep their status. moderation-queue applies the same window to its copy on its own,
 * so nothing is published. 0 days keeps everything. Returns how many comments were erased.
 */
export async function enforceRetention(ctx: IntakeContext, days: number): Promise<number> {
  if (days <= 0) return 0;
  const now = ctx.now();
  const before = new Date(now.getTime() - days * 86_400_000);
  let erased = 0;
  for (;;) {
    const n = await ctx.db.transaction().execute(async (trx) => {
      const ids = await lockUnpublishedBefore(trx, before, CHUNK);
      await eraseCommentRows(trx, ids, now, 'kept');
      return ids.length;
    });
    erased += n;
    if (n < CHUNK) return erased;
  }
}
