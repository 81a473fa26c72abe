import type { RequestHandler } from 'express';
import {
  AppError,
  ErrorCode,
  NotFoundError,
  isOriginAllowed,
  parseOrThrow,
  recordConsentBodySchema,
  setCorsHeaders,
  ValidationError,
  type TenancyDirectory,
} from '@parley/shared';
import type { UseCaseContext } from '../domain/context';
import { recordConsent } from '../domain/record-consent';

const IDEMPOTENCY_KEY = /^[A-Za-z0-9_.:-]{8,128}$/;

export function consentsHandlers(ctx: UseCaseContext, directory: TenancyDirectory) {
  /**
   * The site is named in the body (the banner posts to one URL for every site), so the Origin is
   * checked here against that site's allow-list, before validation: an allowed page then gets its
   * validation problems with CORS headers, and nothing is stored for any other origin.
   */
  const record: RequestHandler = async (req, res) => {
    const claimed = (req.body as { site?: unknown } | undefined)?.site;
    const site = typeof claimed === 'string' && claimed.length <= 64 ? await directory.findSite(claimed) : undefined;
    const origin = req.headers.origin;
    if (site && site.status !== 'deleted') {
      if (!isOriginAllowed(site, origin)) {
        throw new AppError(ErrorCode.ORIGIN_NOT_ALLOWED, 403, 'This page’s origin is not allowed to write to this site.');
      }
      setCorsHeaders(res, origin);
    }
    const body = parseOrThrow(recordConsentBodySchema, req.body, 'body');
    if (!site || site.status === 'deleted') throw new NotFoundError('Unknown site.', ErrorCode.SITE_NOT_FOUND);
    if (new URL(body.pageUrl).origin !== origin) {
      throw new ValidationError([{ path: 'body.pageUrl', message: 'must be a page of the requesting origin' }]);
    }
    const key = req.headers['idempotency-key'];
    if (key !== undefined && (typeof key !== 'string' || !IDEMPOTENCY_KEY.test(key))) {
      throw new ValidationError([{ path: 'headers.idempotency-key', message: '8–128 characters of A–Z, a–z, 0–9, _ . : -' }], 400);
    }
    const client = { ip: req.ip ?? 'unknown', userAgent: req.headers['user-agent'], gpcHeader: req.headers['sec-gpc'] === '1' };
    const { response, replayed } = await recordConsent(ctx, body, client, key);
    if (replayed) res.setHeader('Idempotent-Replayed', 'true');
    res.status(201).json(response);
  };

  /**
   * Preflight of `POST /v1/consents`. It cannot know the site (no body yet), so it lets any origin
   * ask; the POST itself refuses origins not on the site's allow-list and stores nothing for them.
   */
  const preflight: RequestHandler = (req, res) => {
    const origin = req.headers.origin;
    if (typeof origin !== 'string' || !/^https?:\/\/[^/\s]+$/.test(origin)) {
      throw new AppError(ErrorCode.ORIGIN_NOT_ALLOWED, 403, 'A preflight needs an Origin.');
    }
    setCorsHeaders(res, origin);
    res.setHeader('Access-Control-Allow-Methods', 'POST, OPTIONS');
    res.setHeader('Access-Control-Allow-Headers', 'Content-Type, Idempotency-Key');
    res.setHeader('Access-Control-Max-Age', '600');
    res.status(204).end();
  };
  return { record, preflight };
}
