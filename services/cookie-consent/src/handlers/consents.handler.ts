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
   * checked here, against that site's allow-list, before anything is stored.
   */
  const record: RequestHandler = async (req, res) => {
    const body = parseOrThrow(recordConsentBodySchema, req.body, 'body');
    const site = await directory.findSite(body.site);
    if (!site || site.status === 'deleted') throw new NotFoundError('Unknown site.', ErrorCode.SITE_NOT_FOUND);
    const origin = req.headers.origin;
    if (!isOriginAllowed(site, origin)) {
      throw new AppError(ErrorCode.ORIGIN_NOT_ALLOWED, 403, 'This page’s origin is not allowed to write to this site.');
    }
    setCorsHeaders(res, origin);
    if (new URL(body.pageUrl).origin !== origin) {
      throw new ValidationError([{ path: 'body.pageUrl', message: 'must be a page of the requesting origin' }]);
    }
    const key = req.headers['idempotency-key'];
    if (key !== undefined && (typeof key !== 'string' || !IDEMPOTENCY_KEY.test(key))) {
      throw new ValidationError([{ path: 'headers.idempotency-key', message: '8–128 characters of A–Z, a–z, 0–9, _ . : -' }], 400);
    }
    const { response, replayed } = await recordConsent(ctx, body, { ip: req.ip ?? 'unknown', userAgent: req.headers['user-agent'], gpcHeader: req.headers['sec-gpc'] === '1' }, key);
    if (replayed) res.setHeader('Idempotent-Replayed', 'true');
    res.status(201).location(`/v1/consents/${response.recordId}`).json(response);
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
