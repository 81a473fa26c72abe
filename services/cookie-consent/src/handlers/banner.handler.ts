import type { OutgoingHttpHeaders } from 'node:http';
import type { RequestHandler } from 'express';
import { NotFoundError, type FastRequest, type FastResult, type FastRoute } from '@parley/shared';
import type { BannerBundle } from '../banner/build-banner';

const YEAR = 31_536_000;

/**
 * Every answer for one cache policy, built once: serving the script is then a header lookup and a
 * write of a buffer that is already gzipped (it goes out on every page view of every site).
 */
function scriptAnswers(bundle: BannerBundle, cacheControl: string) {
  const etag = `"${bundle.version}"`;
  const common: OutgoingHttpHeaders = {
    // Pages on other origins load it, including ones that set Cross-Origin-Embedder-Policy.
    'cross-origin-resource-policy': 'cross-origin',
    'cache-control': cacheControl,
    etag,
    vary: 'Accept-Encoding',
  };
  const type = 'text/javascript; charset=utf-8';
  const notModified: FastResult = { status: 304, headers: common };
  const gzip: FastResult = { status: 200, headers: { ...common, 'content-type': type, 'content-encoding': 'gzip' }, body: bundle.gzipped };
  const plain: FastResult = { status: 200, headers: { ...common, 'content-type': type }, body: bundle.code };
  return (req: FastRequest): FastResult => {
    if (req.headers['if-none-match'] === etag) return notModified;
    return /\bgzip\b/.test(req.headers['accept-encoding'] ?? '') ? gzip : plain;
  };
}

/** banner.js on the fast routes: no Express frame between a page view and the buffer. */
export function bannerScriptRoutes(bundle: BannerBundle): FastRoute[] {
  /** The unversioned URL publishers paste: short cache, so a new banner reaches them within minutes. */
  const latest = scriptAnswers(bundle, 'public, max-age=300, stale-while-revalidate=86400');
  /** `/banner/<version>.js`: never changes, cached for a year; pair it with the published SRI hash. */
  const versioned = scriptAnswers(bundle, `public, max-age=${YEAR}, immutable`);
  const file = `${bundle.version}.js`;
  return [
    { method: 'GET', path: '/banner.js', handle: latest },
    {
      method: 'GET',
      path: '/banner/:file',
      handle: (req) => {
        if (req.params.file !== file) throw new NotFoundError('No banner with this version; see /banner.manifest.json.');
        return versioned(req);
      },
    },
  ];
}

export function bannerManifestHandler(bundle: BannerBundle): RequestHandler {
  return (_req, res) => {
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
}
