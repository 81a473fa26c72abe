import type { Kysely } from 'kysely';
import { inChunks, uuidv7Floor } from '@parley/shared';
import type { ModerationDb } from '../db/tables';
import { clearNetworkDataBetween, clearReporterFingerprintsBetween } from '../repositories/erasure.repository';

/** Comments cleared per transaction: a first run on a large table never holds one huge one. */
const CHUNK = 1_000;

/** The clock, the chunk size (rows per transaction) and the service's stop signal of one run. */
export interface WindowOptions {
  now?: Date;
  chunk?: number;
  signal?: AbortSignal;
}

/** How far the scan of older comments got, kept by its caller from one run to the next. */
export interface NetworkDataScan {
  /** The last id cleared so far: the next run looks only after it (undefined: from the first comment). */
  reached?: string;
}

/**
 * Retention of network data (DESIGN §7), in moderation's copy: every comment, whatever its state,
 * submitted more than `days` days ago loses its author's IP hash, IP prefix and fingerprint (and the
 * author key, where that is the fingerprint: see clearNetworkDataBetween); its state, name, text
 * and history stay, nothing is published (comment-intake applies the same window
 * to its own copy) and bans keep their own hashes. Comment ids are UUIDv7 made when the comment
 * was submitted, so "submitted before the cutoff" is `id < uuidv7Floor(cutoff)`, read off the
 * primary key in id order, a chunk per transaction until one comes back short (one may come back
 * short early when a row changed while it was waited for: the next run goes on from there).
 *
 * `scan` says where the previous run got and is moved on after every chunk that commits (a failed
 * or stopped run keeps what it did). A comment that reaches moderation with an id behind it (a
 * stream replayed months late) is left until the scan starts from the first comment again.
 * 0 days keeps everything. Returns how many comments were cleared.
 */
export async function forgetNetworkData(
  db: Kysely<ModerationDb>,
  days: number,
  scan: NetworkDataScan = {},
  options: WindowOptions = {},
): Promise<number> {
  return clearOlderThan(db, days, scan, clearNetworkDataBetween, options);
}

/**
 * The same window for reports: a report made more than `days` days ago loses its reader's
 * fingerprint (the once-per-reader key); reason, note and the comment's report count stay. Report
 * ids are intake's UUIDv7, so this too is an id range on the primary key, with its own `scan`.
 */
export async function forgetReporterFingerprints(
  db: Kysely<ModerationDb>,
  days: number,
  scan: NetworkDataScan = {},
  options: WindowOptions = {},
): Promise<number> {
  return clearOlderThan(db, days, scan, clearReporterFingerprintsBetween, options);
}

type ClearBetween = (db: Kysely<ModerationDb>, range: { after: string | undefined; before: string }, limit: number) => Promise<string[]>;

async function clearOlderThan(
  db: Kysely<ModerationDb>,
  days: number,
  scan: NetworkDataScan,
  clearBetween: ClearBetween,
  { now = new Date(), chunk = CHUNK, signal }: WindowOptions,
): Promise<number> {
  const cutoff = now.getTime() - days * 86_400_000;
  // A window reaching back before 1970 has nothing to clear yet.
  if (days <= 0 || cutoff <= 0) return 0;
  const before = uuidv7Floor(cutoff);
  // Stopping the service ends a long run between two chunks; the next run goes on from there.
  return inChunks(
    chunk,
    async () => {
      const ids = await clearBetween(db, { after: scan.reached, before }, chunk);
      if (ids.length > 0) scan.reached = ids.at(-1);
      return ids.length;
    },
    signal,
  );
}
