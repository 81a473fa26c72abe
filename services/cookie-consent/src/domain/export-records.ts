import type { ConsentRecord } from '@parley/shared';
import { listRecordsPage, type RecordRange } from '../repositories/record.repository';
import type { UseCaseContext } from './context';

const PAGE = 1000;

/** The range's records in chain order, a page at a time (never the whole range in memory). */
export async function* exportRecords(ctx: UseCaseContext, range: RecordRange): AsyncGenerator<ConsentRecord> {
  for (let after = 0; ; ) {
    const page = await listRecordsPage(ctx.db, range, after, PAGE);
    yield* page;
    if (page.length < PAGE) return;
    after = page[page.length - 1]!.seq;
  }
}

export const CSV_COLUMNS = [
  'id', 'seq', 'recordedAt', 'consentId', 'revision', 'configHash', 'action', 'accepted', 'rejected',
  'servicesAccepted', 'servicesRejected', 'language', 'pageUrl', 'gpc', 'ipPrefix', 'ipHash', 'userAgent', 'prevHash', 'hash',
] as const;

export function csvHeader(): string {
  return `${CSV_COLUMNS.join(',')}\r\n`;
}

/** RFC 4180 row; lists joined with spaces. Cells that a spreadsheet would run as a formula are defused. */
export function csvRow(r: ConsentRecord): string {
  const cells = [
    r.id, r.seq, r.recordedAt, r.consentId, r.revision, r.configHash, r.action, r.accepted.join(' '), r.rejected.join(' '),
    r.services.accepted.join(' '), r.services.rejected.join(' '), r.language, r.pageUrl, r.gpc, r.ipPrefix, r.ipHash, r.userAgent, r.prevHash, r.hash,
  ];
  return `${cells.map((c) => csvCell(String(c))).join(',')}\r\n`;
}

function csvCell(v: string): string {
  const safe = /^[=+\-@\t\r]/.test(v) ? `'${v}` : v;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}
