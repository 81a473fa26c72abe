import type { RequestHandler, Response } from 'express';
import type { Logger } from '../logger';
import { AppError, ErrorCode, ForbiddenError, NotFoundError, UnauthenticatedError } from '../errors';
import type { ApiKeyRole } from '../contracts/site.schema';
import { hashApiKey } from './api-key';
import type { SiteRecord, TenancyDirectory } from './directory';
import { canAccessSite, type Principal } from './principal';
import { CORS_EXPOSED_HEADERS, findPublicSite } from './site-access';

export function principalOf(res: Response): Principal {
  const p = res.locals.principal as Principal | undefined;
  if (!p) throw new UnauthenticatedError();
  return p;
}

export function siteOf(res: Response): SiteRecord {
  const s = res.locals.site as SiteRecord | undefined;
  if (!s) throw new NotFoundError('Unknown site.', ErrorCode.SITE_NOT_FOUND);
  return s;
}

/**
 * Accepts `Authorization: Bearer <key>` when the key exists, is not revoked and has one of `roles`.
 * Failures are logged (key prefix only, never the secret) and answered 401 / 403.
 */
export function requireApiKey(directory: TenancyDirectory, logger: Logger, roles: ApiKeyRole[] = ['admin', 'moderator']): RequestHandler {
  return (req, res, next) => {
    const header = req.headers.authorization;
    const match = typeof header === 'string' ? /^Bearer\s+(\S{1,200})$/i.exec(header) : null;
    if (!match?.[1]) {
      logger.warn({ path: req.path, reason: 'missing' }, 'authentication failed');
      return next(new UnauthenticatedError());
    }
    const secret = match[1];
    directory.findKeyByHash(hashApiKey(secret)).then(
      (key) => {
        if (!key || key.revoked) {
          logger.warn({ path: req.path, reason: key ? 'revoked' : 'unknown', keyPrefix: secret.slice(0, 15) }, 'authentication failed');
          return next(new UnauthenticatedError('The API key is unknown or revoked.'));
        }
        if (!roles.includes(key.role)) return next(new ForbiddenError(`This action needs the ${roles.join(' or ')} role.`));
        res.locals.principal = { keyId: key.id, role: key.role, sites: key.sites } satisfies Principal;
        next();
      },
      (err: unknown) => next(err),
    );
  };
}

/** Loads `:site` into `res.locals.site`; an unknown or deleted site is 404. */
export function loadSite(directory: TenancyDirectory, param = 'site'): RequestHandler {
  return (req, res, next) => {
    findPublicSite(directory, req.params[param] as string | undefined).then(
      (site) => {
        res.locals.site = site;
        next();
      },
      (err: unknown) => next(err),
    );
  };
}

/** After requireApiKey and loadSite: the key must be scoped to this site. */
export const requireSiteAccess: RequestHandler = (_req, res, next) => {
  const principal = principalOf(res);
  const site = siteOf(res);
  if (!canAccessSite(principal, site.id)) return next(new ForbiddenError('This API key is not allowed on this site.'));
  next();
};

export function isOriginAllowed(site: SiteRecord, origin: string | undefined): origin is string {
  return typeof origin === 'string' && origin !== 'null' && site.allowedOrigins.includes(origin);
}

/**
 * Browser writes: the `Origin` must be on the site's allow-list (a missing, `null` or foreign one is
 * refused before anything is stored). Sets the CORS headers for an allowed origin.
 */
export const requireAllowedOrigin: RequestHandler = (req, res, next) => {
  const site = siteOf(res);
  const origin = req.headers.origin;
  if (!isOriginAllowed(site, origin)) {
    return next(new AppError(ErrorCode.ORIGIN_NOT_ALLOWED, 403, 'This page’s origin is not allowed to write to this site.'));
  }
  setCorsHeaders(res, origin);
  next();
};

/** Reads: CORS headers for an allowed origin; others simply get no CORS headers. */
export const corsForSite: RequestHandler = (req, res, next) => {
  const site = siteOf(res);
  const origin = req.headers.origin;
  if (isOriginAllowed(site, origin)) setCorsHeaders(res, origin);
  else res.vary('Origin');
  next();
};

export function setCorsHeaders(res: Response, origin: string): void {
  res.setHeader('Access-Control-Allow-Origin', origin);
  res.vary('Origin');
  res.setHeader('Access-Control-Expose-Headers', CORS_EXPOSED_HEADERS);
}

/** Answers CORS preflights for an allowed origin with the methods and headers writes use. */
export const corsPreflight: RequestHandler = (req, res, next) => {
  const site = siteOf(res);
  const origin = req.headers.origin;
  if (!isOriginAllowed(site, origin)) {
    return next(new AppError(ErrorCode.ORIGIN_NOT_ALLOWED, 403, 'This page’s origin is not allowed on this site.'));
  }
  setCorsHeaders(res, origin);
  res.setHeader('Access-Control-Allow-Methods', 'GET, POST, DELETE, OPTIONS');
  res.setHeader('Access-Control-Allow-Headers', 'Content-Type, Idempotency-Key, Authorization, X-Author-Token');
  res.setHeader('Access-Control-Max-Age', '600');
  res.status(204).end();
};
