import type { RequestHandler, Response } from 'express';
import { consentConfigSchema, parseOrThrow, principalOf, siteOf, ValidationError, type ConsentRevision } from '@parley/shared';
import { z } from 'zod';
import { consentConfigRevision, currentConsentConfig, publishConsentConfig } from '../domain/consent-config';
import type { UseCaseContext } from '../domain/context';
import { listConfigRevisions } from '../repositories/config-revision.repository';

const revisionParam = z.strictObject({ site: z.string(), revision: z.coerce.number().int().positive().max(2_147_483_647) });

const etagOf = (rev: ConsentRevision) => `"r${rev.revision}-${rev.contentHash.slice(0, 16)}"`;

function sendRevision(res: Response, rev: ConsentRevision, status = 200): void {
  res.status(status).setHeader('ETag', etagOf(rev));
  res.json(rev);
}

/** `If-Match: "r3-…"` (our ETag) or a bare revision number: the revision the operator edited. */
function expectedRevision(header: string | undefined): number | undefined {
  if (!header) return undefined;
  const m = /^(?:W\/)?"?r?(\d{1,9})(?:-[0-9a-z]*)?"?$/.exec(header.trim());
  if (!m) throw new ValidationError([{ path: 'headers.if-match', message: 'must be the ETag of a configuration revision' }], 400);
  return Number(m[1]);
}

export function configHandlers(ctx: UseCaseContext) {
  const getCurrent: RequestHandler = async (_req, res) => {
    sendRevision(res, await currentConsentConfig(ctx, siteOf(res).id));
  };
  const publish: RequestHandler = async (req, res) => {
    const config = parseOrThrow(consentConfigSchema, req.body, 'body');
    const { revision, created } = await publishConsentConfig(ctx, { keyId: principalOf(res).keyId }, siteOf(res).id, config, expectedRevision(req.headers['if-match']));
    sendRevision(res, revision, created ? 201 : 200);
  };
  const listRevisions: RequestHandler = async (_req, res) => {
    await currentConsentConfig(ctx, siteOf(res).id);
    res.json({ items: await listConfigRevisions(ctx.db, siteOf(res).id) });
  };
  const getRevision: RequestHandler = async (req, res) => {
    const { revision } = parseOrThrow(revisionParam, req.params, 'params');
    sendRevision(res, await consentConfigRevision(ctx, siteOf(res).id, revision));
  };
  /** What banner.js fetches: the current revision, revalidated cheaply by ETag. */
  const publicConfig: RequestHandler = async (req, res) => {
    const rev = await currentConsentConfig(ctx, siteOf(res).id);
    const etag = etagOf(rev);
    res.setHeader('Cache-Control', 'public, max-age=60, stale-while-revalidate=600');
    res.setHeader('ETag', etag);
    if (req.headers['if-none-match'] === etag) {
      res.status(304).end();
      return;
    }
    res.json({ site: rev.site, revision: rev.revision, contentHash: rev.contentHash, ...rev.config });
  };
  return { getCurrent, publish, listRevisions, getRevision, publicConfig };
}
