import type { Kysely } from 'kysely';
import { inChunks } from '@parley/shared';
import type { ConsentDb } from '../db/tables';
import { deleteIdempotencyKeysBefore } from '../repositories/idempotency-key.repository';
import { deleteRecordsBefore } from '../repositories/record.repository';

const BATCH = 5_000;
/** Retries of a consent write come within seconds; a day is plenty. */
const IDEMPOTENCY_WINDOW_MS = 86_400_000;

/**
 * Deletes consent records older than the retention window, in batches so no statement holds locks
 * for long, and idempotency keys older than a day. The chain stays verifiable: a range whose first
 * record's predecessor was deleted is checked from that record on.
 */
export async function enforceRetention(db: Kysely<ConsentDb>, retentionDays: number, now = new Date()): Promise<{ records: number; idempotencyKeys: number }> {
  let records = 0;
  if (retentionDays > 0) {
    const cutoff = new Date(now.getTime() - retentionDays * 86_400_000);
    records = await inChunks(BATCH, () => deleteRecordsBefore(db, cutoff, BATCH));
  }
  const idempotencyKeys = await deleteIdempotencyKeysBefore(db, new Date(now.getTime() - IDEMPOTENCY_WINDOW_MS));
  return { records, idempotencyKeys };
}
