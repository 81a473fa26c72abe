import { inChunks, uuidv7Floor } from '@parley/shared';
import { clearNetworkDataBetween, eraseCommentRows, lockUnpublishedBefore } from '../repositories/personal-data.repository';
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
  return inChunks(CHUNK, () =>
    ctx.db.transaction().execute(async (trx) => {
      const ids = await lockUnpublishedBefore(trx, before, CHUNK);
      await eraseCommentRows(trx, ids, now, 'kept');
      return ids.length;
    }),
  );
}

/**
 * Retention of network data (DESIGN §7): comments written more than `days` ago, whatever their
 * status, lose their IP hash, network prefix and reader fingerprint; what readers see stays. Ids are
 * UUIDv7, so "written before" is an id range on the primary key. The job remembers how far it got,
 * so later runs start there rather than rescan what is cleared; a restarted process starts from the
 * beginning once. 0 days keeps everything.
 */
export class NetworkDataRetention {
  private reached = '00000000-0000-0000-0000-000000000000';

  constructor(
    private readonly ctx: IntakeContext,
    private readonly days: number,
  ) {}

  /** Returns how many comments were cleared. */
  async run(): Promise<number> {
    const cutoff = this.ctx.now().getTime() - this.days * 86_400_000;
    // A window reaching back before 1970 has nothing to clear yet.
    if (this.days <= 0 || cutoff <= 0) return 0;
    const before = uuidv7Floor(cutoff);
    if (before <= this.reached) return 0;
    return inChunks(CHUNK, async () => {
      const ids = await this.ctx.db.transaction().execute((trx) => clearNetworkDataBetween(trx, this.reached, before, CHUNK));
      // After the last chunk everything written before the bound is cleared: comments are never written in the past.
      this.reached = ids.length < CHUNK ? before : ids.at(-1)!;
      return ids.length;
    });
  }
}
