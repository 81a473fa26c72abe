import { NotFoundError, type ConsentRecord, type VisitorConsentHistory } from '@parley/shared';
import { receiptClaims } from './chain-appender';
import { findConfigRevision } from '../repositories/config-revision.repository';
import { findRecordsByConsentId } from '../repositories/record.repository';
import type { UseCaseContext } from './context';

export interface ConsentHistoryEntry {
  record: ConsentRecord;
  /** The texts the visitor was shown, in the language recorded (or the revision's default). */
  shown: { revision: number; contentHash: string; language: string; texts: unknown; categories: unknown } | null;
}

/** Everything one consent id chose, in order, with the exact revision text each choice was made under. */
export async function consentHistory(ctx: UseCaseContext, site: string, consentId: string): Promise<ConsentHistoryEntry[]> {
  const records = await findRecordsByConsentId(ctx.db, site, consentId);
  if (records.length === 0) throw new NotFoundError('No records for this consent id on this site.');
  const revisions = new Map<number, Awaited<ReturnType<typeof findConfigRevision>>>();
  const out: ConsentHistoryEntry[] = [];
  for (const record of records) {
    if (!revisions.has(record.revision)) revisions.set(record.revision, await findConfigRevision(ctx.db, site, record.revision));
    const rev = revisions.get(record.revision);
    const language = rev && rev.config.texts[record.language] ? record.language : (rev?.config.defaultLanguage ?? record.language);
    out.push({
      record,
      shown: rev ? { revision: rev.revision, contentHash: rev.contentHash, language, texts: rev.config.texts[language], categories: rev.config.categories } : null,
    });
  }
  return out;
}

/** The visitor's own view of their consent id (visitorConsentHistorySchema): no network data, receipts included. */
export async function visitorConsentHistory(ctx: UseCaseContext, site: string, consentId: string): Promise<VisitorConsentHistory> {
  const entries = await consentHistory(ctx, site, consentId);
  return {
    consentId,
    site,
    records: entries.map(({ record: r, shown }) => ({
      id: r.id,
      seq: r.seq,
      revision: r.revision,
      configHash: r.configHash,
      action: r.action,
      accepted: r.accepted,
      rejected: r.rejected,
      services: r.services,
      language: r.language,
      pageUrl: r.pageUrl,
      gpc: r.gpc,
      recordedAt: r.recordedAt,
      hash: r.hash,
      // Ed25519 is deterministic: under the same key this is the receipt the visitor got then.
      receipt: ctx.signer.sign(receiptClaims(r, ctx.issuer)),
      shown: shown && { contentHash: shown.contentHash, language: shown.language, texts: shown.texts, categories: shown.categories },
    })),
  };
}
