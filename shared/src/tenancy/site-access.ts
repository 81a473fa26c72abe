import type { OutgoingHttpHeaders } from 'node:http';
import { AppError, ErrorCode, NotFoundError } from '../errors';
import type { FastRequest } from '../http/fast/route';
import type { SiteRecord, TenancyDirectory } from './directory';

/** What the fast routes do that `loadSite`, `requireAllowedOrigin` and `corsForSite` do in Express. */

/** The site of a public route; an unknown, deleted or absurd id is 404. */
export async function findPublicSite(directory: TenancyDirectory, id: string | undefined): Promise<SiteRecord> {
  if (typeof id !== 'string' || id.length > 64) throw new NotFoundError('Unknown site.', ErrorCode.SITE_NOT_FOUND);
  const site = await directory.findSite(id);
  if (!site || site.status === 'deleted') throw new NotFoundError('Unknown site.', ErrorCode.SITE_NOT_FOUND);
  return site;
}

export const CORS_EXPOSED_HEADERS = 'ETag, RateLimit, RateLimit-Policy, Retry-After, X-Request-Id';

/** Browser writes: a missing, `null` or foreign Origin is refused before anything is read or stored. */
export function requireOriginOf(site: SiteRecord, req: FastRequest): void {
  const origin = req.headers.origin;
  if (typeof origin !== 'string' || origin === 'null' || !site.allowedOrigins.includes(origin)) {
    throw new AppError(ErrorCode.ORIGIN_NOT_ALLOWED, 403, 'This page’s origin is not allowed to write to this site.');
  }
  Object.assign(req.responseHeaders, corsHeaders(origin));
}

/** Reads: CORS headers for an allowed origin; others get none (but the answer varies by Origin). */
export function corsForSiteOf(site: SiteRecord, req: FastRequest): void {
  const origin = req.headers.origin;
  if (typeof origin === 'string' && origin !== 'null' && site.allowedOrigins.includes(origin)) Object.assign(req.responseHeaders, corsHeaders(origin));
  else req.responseHeaders.vary = 'Origin';
}

function corsHeaders(origin: string): OutgoingHttpHeaders {
  return { 'access-control-allow-origin': origin, vary: 'Origin', 'access-control-expose-headers': CORS_EXPOSED_HEADERS };
}
