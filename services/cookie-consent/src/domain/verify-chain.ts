import type { ChainVerification, ConsentRecord } from '@parley/shared';
import { findFirstSeqInRange, findRecordBySeq, listRecordsPage, type RecordRange } from '../repositories/record.repository';
import type { UseCaseContext } from './context';
import { GENESIS_HASH, chainHash } from './hash-chain';

const PAGE = 1000;

/**
 * Recomputes every record's hash in the range and checks that each points at its predecessor.
 * The first record of the range is linked to the one before it (outside the range), so an edit
 * just before `from` is caught too. Stops at the first break.
 */
export async function verifyChain(ctx: UseCaseContext, range: RecordRange): Promise<ChainVerification> {
  const base = { site: range.site, from: range.from?.toISOString() ?? null, to: range.to?.toISOString() ?? null };
  const firstSeq = await findFirstSeqInRange(ctx.db, range);
  if (firstSeq === undefined) return { ...base, checked: 0, intact: true, firstBreak: null, lastHash: null };
  let expectedSeq = firstSeq;
  let prevHash = firstSeq === 1 ? GENESIS_HASH : ((await findRecordBySeq(ctx.db, range.site, firstSeq - 1))?.hash ?? null);
  let checked = 0;
  let lastHash: string | null = null;
  for (let after = firstSeq - 1; ; ) {
    const page = await listRecordsPage(ctx.db, range, after, PAGE);
    for (const record of page) {
      const reason = breakOf(record, expectedSeq, prevHash);
      if (reason) {
        return { ...base, checked, intact: false, lastHash, firstBreak: { recordId: record.id, seq: record.seq, recordedAt: record.recordedAt, reason } };
      }
      checked += 1;
      prevHash = record.hash;
      lastHash = record.hash;
      expectedSeq = record.seq + 1;
    }
    if (page.length < PAGE) break;
    after = page[page.length - 1]!.seq;
  }
  return { ...base, checked, intact: true, firstBreak: null, lastHash };
}

function breakOf(record: ConsentRecord, expectedSeq: number, prevHash: string | null) {
  if (record.seq !== expectedSeq) return 'sequence_gap' as const;
  const { hash, ...fields } = record;
  if (chainHash(fields) !== hash) return 'hash_mismatch' as const;
  // null: the predecessor was deleted (retention); the record's own hash still holds.
  if (prevHash !== null && record.prevHash !== prevHash) return 'prev_hash_mismatch' as const;
  return undefined;
}
