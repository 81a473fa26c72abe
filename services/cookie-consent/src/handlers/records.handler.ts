import type { Request, RequestHandler, Response } from 'express';
import { once } from 'node:events';
import { consentRangeQuerySchema, parseOrThrow, siteOf, ValidationError, UUID_RE } from '@parley/shared';
import { consentHistory, visitorConsentHistory } from '../domain/consent-history';
import type { UseCaseContext } from '../domain/context';
import { csvHeader, csvRow, exportRecords } from '../domain/export-records';
import { verifyChain } from '../domain/verify-chain';
import type { RecordRange } from '../repositories/record.repository';

function rangeOf(query: unknown, site: string): RecordRange & { format?: 'ndjson' | 'csv' } {
  const q = parseOrThrow(consentRangeQuerySchema, query, 'query');
  return { site, from: q.from ? new Date(q.from) : undefined, to: q.to ? new Date(q.to) : undefined, format: q.format };
}

/** Writes honouring back-pressure, so a slow client slows the export instead of filling memory. */
async function write(res: Response, chunk: string): Promise<void> {
  if (!res.write(chunk)) await once(res, 'drain');
}

function consentIdOf(req: Request): string {
  const consentId = String(req.params.consentId);
  if (!UUID_RE.test(consentId)) throw new ValidationError([{ path: 'params.consentId', message: 'must be a UUID' }], 400);
  return consentId;
}

export function recordsHandlers(ctx: UseCaseContext) {
  const verify: RequestHandler = async (req, res) => {
    res.json(await verifyChain(ctx, rangeOf(req.query, siteOf(res).id)));
  };
  const history: RequestHandler = async (req, res) => {
    const consentId = consentIdOf(req);
    res.json({ consentId, items: await consentHistory(ctx, siteOf(res).id, consentId) });
  };
  /** The visitor's own records: the consent id from their cookie is the key (no network data). */
  const visitorHistory: RequestHandler = async (req, res) => {
    res.setHeader('Cache-Control', 'private, no-store');
    res.json(await visitorConsentHistory(ctx, siteOf(res).id, consentIdOf(req)));
  };
  /** NDJSON (default) or CSV (`format=csv` or `Accept: text/csv`), streamed page by page. */
  const exportRange: RequestHandler = async (req, res) => {
    const range = rangeOf(req.query, siteOf(res).id);
    const csv = range.format === 'csv' || (!range.format && req.accepts(['application/x-ndjson', 'text/csv']) === 'text/csv');
    const name = `consents-${range.site}-${(range.from ?? new Date(0)).toISOString().slice(0, 10)}`;
    res.setHeader('Content-Type', csv ? 'text/csv; charset=utf-8' : 'application/x-ndjson; charset=utf-8');
    res.setHeader('Content-Disposition', `attachment; filename="${name}.${csv ? 'csv' : 'ndjson'}"`);
    res.setHeader('Cache-Control', 'no-store');
    const records = exportRecords(ctx, range);
    // The first page is read before the status goes out: a database failure is still a clean 5xx problem.
    const first = await records.next();
    res.status(200);
    if (csv) await write(res, csvHeader());
    try {
      for (let r = first; !r.done; r = await records.next()) await write(res, csv ? csvRow(r.value) : `${JSON.stringify(r.value)}\n`);
      res.end();
    } catch (err) {
      // Headers are out: the only honest signal left is a broken response.
      res.destroy(err instanceof Error ? err : new Error(String(err)));
    }
  };
  return { verify, history, visitorHistory, exportRange };
}
