import type { RequestHandler, Response } from 'express';
import { NotFoundError } from '@parley/shared';
import type { BannerBundle } from '../banner/build-banner';

const YEAR = 31_536_000;

function sendScript(req: Parameters<RequestHandler>[0], res: Response, bundle: BannerBundle, cacheControl: string): void {
  const etag = `"${bundle.version}"`;
  // Pages on other origins load it, including ones that set Cross-Origin-Embedder-Policy.
  res.setHeader('Cross-Origin-Resource-Policy', 'cross-origin');
  res.setHeader('Cache-Control', cacheControl);
  res.setHeader('ETag', etag);
  res.setHeader('Vary', 'Accept-Encoding');
  if (req.headers['if-none-match'] === etag) {
    res.status(304).end();
    return;
  }
  res.setHeader('Content-Type', 'text/javascript; charset=utf-8');
  const gzip = /\bgzip\b/.test(String(req.headers['accept-encoding'] ?? ''));
  if (gzip) res.setHeader('Content-Encoding', 'gzip');
  res.end(gzip ? bundle.gzipped : bundle.code);
}

export function bannerHandlers(bundle: BannerBundle) {
  /** The unversioned URL publishers paste: short cache, so a new banner reaches them within minutes. */
  const latest: RequestHandler = (req, res) => {
    sendScript(req, res, bundle, 'public, max-age=300, stale-while-revalidate=86400');
  };
  /** `/banner/<version>.js`: never changes, cached for a year; pair it with the published SRI hash. */
  const versioned: RequestHandler = (req, res) => {
    if (req.params.file !== `${bundle.version}.js`) throw new NotFoundError('No banner with this version; see /banner.manifest.json.');
    sendScript(req, res, bundle, `public, max-age=${YEAR}, immutable`);
  };
  const manifest: RequestHandler = (_req, res) => {
    res.setHeader('Access-Control-Allow-Origin', '*');
    res.setHeader('Cache-Control', 'public, max-age=300');
    res.json({
      version: bundle.version,
      path: `/banner/${bundle.version}.js`,
      integrity: bundle.integrity,
      bytes: bundle.bytes,
      gzipBytes: bundle.gzipBytes,
    });
  };
  return { latest, versioned, manifest };
}
