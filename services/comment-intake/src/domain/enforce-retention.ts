import { NIL_UUID, inChunks, uuidv7Floor } from '@parley/shared';
import { clearNetworkDataBetween, clearReportFingerprintsBetween, eraseCommentRows, lockUnpublishedBefore } from '../repositories/personal-data.repository';
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

/** Clears one table's network data for ids in (after, before), a chunk at a time; returns the ids cleared. */
type ClearBetween = (db: IntakeContext['db'], after: string, before: string, limit: number) => Promise<string[]>;

/**
 * Retention of network data (DESIGN §7): comments written more than `days` ago, whatever their
 * status, lose their IP hash, network prefix and reader fingerprint (what readers see stays), and
 * reports made that long ago lose their reader's fingerprint (reason and note stay). Ids are UUIDv7,
 * so "written before" is an id range on the primary key. The job remembers how far it got in each
 * table, so later runs start there rather than rescan what is cleared; a restarted process starts
 * from the beginning once. 0 days keeps everything.
 */
export class NetworkDataRetention {
  private readonly reached = { comments: NIL_UUID, reports: NIL_UUID };

  constructor(
    private readonly ctx: IntakeContext,
    private readonly days: number,
  ) {}

  /** Returns how many comments and reports were cleared. */
  async run(): Promise<{ comments: number; reports: number }> {
    const cutoff = this.ctx.now().getTime() - this.days * 86_400_000;
    // A window reaching back before 1970 has nothing to clear yet.
    if (this.days <= 0 || cutoff <= 0) return { comments: 0, reports: 0 };
    const before = uuidv7Floor(cutoff);
    return {
      comments: await this.clear('comments', before, clearNetworkDataBetween),
      reports: await this.clear('reports', before, clearReportFingerprintsBetween),
    };
  }

  private async clear(table: keyof NetworkDataRetention['reached'], before: string, clearBetween: ClearBetween): Promise<number> {
    if (before <= this.reached[table]) return 0;
    return inChunks(CHUNK, async () => {
      const ids = await this.ctx.db.transaction().execute((trx) => clearBetween(trx, this.reached[table], before, CHUNK));
      // After the last chunk everything written before the bound is cleared: rows are never written in the past.
      this.reached[table] = ids.length < CHUNK ? before : ids.at(-1)!;
      return ids.length;
    });
  }
}
