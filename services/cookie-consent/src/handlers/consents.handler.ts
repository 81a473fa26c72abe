import type { RequestHandler } from 'express';
import { ipKeyGenerator } from 'express-rate-limit';
import {
  AppError,
  ErrorCode,
  NotFoundError,
  RateLimitedError,
  readJsonBody,
  requireOriginOf,
  setCorsHeaders,
  type FastRoute,
  type RateLimiter,
  type TenancyDirectory,
} from '@parley/shared';
import { hashIp } from '../domain/client-info';
import type { UseCaseContext } from '../domain/context';
import { parseConsentBody, recordConsent } from '../domain/record-consent';

const BODY_LIMIT = 16 * 1024;

export interface ConsentWriteDeps {
  ctx: UseCaseContext;
  directory: TenancyDirectory;
  limiter: RateLimiter;
  /** Consent writes per minute from one address (IPv6: one /56), shared by every instance. */
  perMinute: number;
}

/**
 * `POST /v1/consents` on the fast routes (ADR 0013): every visitor's first choice goes through it.
 * The site is named in the body (the banner posts to one URL for every site), so the Origin is
 * checked against that site's allow-list after reading it and before validation: an allowed page
 * gets its validation problems with CORS headers, and nothing is stored for any other origin.
 */
export function consentWriteRoute({ ctx, directory, limiter, perMinute }: ConsentWriteDeps): FastRoute {
  return {
    method: 'POST',
    path: '/v1/consents',
    handle: async (req) => {
      const body = await readJsonBody(req, BODY_LIMIT);
      const ipKey = hashIp(ctx.ipHashKey, ipKeyGenerator(req.ip));
      const limit = await limiter.check([{ name: 'ip', key: ipKey, limit: perMinute }]);
      Object.assign(req.responseHeaders, limit.headers);
      if (!limit.allowed) throw new RateLimitedError(limit.retryAfterS);
      const claimed = (body as { site?: unknown } | undefined)?.site;
      const site = typeof claimed === 'string' && claimed.length <= 64 ? await directory.findSite(claimed) : undefined;
      if (!site || site.status === 'deleted') {
        parseConsentBody(body); // bad input is a 422 whatever the site
        throw new NotFoundError('Unknown site.', ErrorCode.SITE_NOT_FOUND);
      }
      requireOriginOf(site, req);
      const outcome = await recordConsent(ctx, {
        site: site.id,
        body,
        origin: req.headers.origin,
        idempotencyKey: req.headers['idempotency-key'],
        ip: req.ip,
        userAgent: req.headers['user-agent'],
        gpcHeader: req.headers['sec-gpc'] === '1',
      });
      return { status: outcome.status, headers: outcome.replayed ? REPLAYED : undefined, json: outcome.body };
    },
  };
}

const REPLAYED = { 'idempotent-replayed': 'true' };

/**
 * Preflight of `POST /v1/consents`. It cannot know the site (no body yet), so it lets any origin
 * ask; the POST itself refuses origins not on the site's allow-list and stores nothing for them.
 */
export const consentPreflight: RequestHandler = (req, res) => {
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
