import { Router, type Request, type Response } from 'express';
import type { WidgetBuild } from './build-widget';

/**
 * `/embed.js` (what publishers paste: cached briefly, revalidated by ETag, so a deploy reaches
 * pages within minutes) and `/embed.<version>.js` (immutable, for pages that pin a version with
 * SRI). Both are loadable from any origin: CORP cross-origin, and CORS for `crossorigin` tags.
 */
export function widgetRoutes(build: WidgetBuild): Router {
  const router = Router();
  const code = Buffer.from(build.js, 'utf8');
  const etag = `"w-${build.version}"`;

  const send = (req: Request, res: Response, cacheControl: string) => {
    res.setHeader('Content-Type', 'text/javascript; charset=utf-8');
    res.setHeader('Cache-Control', cacheControl);
    res.setHeader('Cross-Origin-Resource-Policy', 'cross-origin');
    res.setHeader('Access-Control-Allow-Origin', '*');
    res.setHeader('ETag', etag);
    res.setHeader('X-Parley-Widget-Version', build.version);
    res.vary('Accept-Encoding');
    if (String(req.headers['if-none-match'] ?? '').split(',').some((t) => t.trim().replace(/^W\//, '') === etag)) {
      res.status(304).end();
      return;
    }
    if (req.acceptsEncodings('gzip', 'identity') === 'gzip') {
      res.setHeader('Content-Encoding', 'gzip');
      res.end(req.method === 'HEAD' ? undefined : build.gzip);
      return;
    }
    res.end(req.method === 'HEAD' ? undefined : code);
  };

  router.get(/^\/embed\.i18n\.([a-z]{2,3})\.json$/, (req, res, next) => {
    const pack = build.languages[req.params[0] ?? ''];
    if (!pack) return next();
    res.setHeader('Cache-Control', 'public, max-age=300, stale-while-revalidate=3600');
    res.setHeader('Cross-Origin-Resource-Policy', 'cross-origin');
    res.setHeader('Access-Control-Allow-Origin', '*');
    res.type('application/json').send(pack);
  });
  router.get('/embed.js', (req, res) => send(req, res, 'public, max-age=300, stale-while-revalidate=3600'));
  router.get(/^\/embed\.([0-9a-f]{16})\.js$/, (req, res, next) => {
    if (req.params[0] !== build.version) return next(); // an old version: 404, never another version's code
    send(req, res, 'public, max-age=31536000, immutable');
  });
  return router;
}
