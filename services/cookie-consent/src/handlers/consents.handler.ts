import type { RequestHandler } from 'express';
import { AppError, ErrorCode, NotFoundError, isOriginAllowed, setCorsHeaders, type TenancyDirectory } from '@parley/shared';
import type { UseCaseContext } from '../domain/context';
import { parseConsentBody, recordConsent } from '../domain/record-consent';

export function consentsHandlers(ctx: UseCaseContext, directory: TenancyDirectory) {
  /**
   * The site is named in the body (the banner posts to one URL for every site), so the Origin is
   * checked here against that site's allow-list, before validation: an allowed page then gets its
   * validation problems with CORS headers, and nothing is stored for any other origin. The rest is
   * the domain's `recordConsent`, which the fast route calls the same way.
   */
  const record: RequestHandler = async (req, res) => {
    const claimed = (req.body as { site?: unknown } | undefined)?.site;
    const site = typeof claimed === 'string' && claimed.length <= 64 ? await directory.findSite(claimed) : undefined;
    const origin = req.headers.origin;
    if (!site || site.status === 'deleted') {
      parseConsentBody(req.body); // bad input is a 422 whatever the site
      throw new NotFoundError('Unknown site.', ErrorCode.SITE_NOT_FOUND);
    }
    if (!isOriginAllowed(site, origin)) {
      throw new AppError(ErrorCode.ORIGIN_NOT_ALLOWED, 403, 'This page’s origin is not allowed to write to this site.');
    }
    setCorsHeaders(res, origin);
    const outcome = await recordConsent(ctx, {
      site: site.id,
      body: req.body,
      origin,
      idempotencyKey: req.headers['idempotency-key'],
      ip: req.ip ?? 'unknown',
      userAgent: req.headers['user-agent'],
      gpcHeader: req.headers['sec-gpc'] === '1',
    });
    if (outcome.replayed) res.setHeader('Idempotent-Replayed', 'true');
    res.status(outcome.status).json(outcome.body);
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
