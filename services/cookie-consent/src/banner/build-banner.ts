import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

export interface BannerBundle {
  code: Buffer;
  gzipped: Buffer;
  /** First 16 hex of the SHA-256 of the code: the versioned URL changes whenever the code does. */
  version: string;
  /** Subresource Integrity value for `<script integrity=…>`. */
  integrity: string;
  bytes: number;
  gzipBytes: number;
}

/** The budget in the issue: banner JS + CSS (the CSS ships inside the JS) at most 6 KB gzipped. */
export const BANNER_GZIP_BUDGET = 6 * 1024;

let cached: Promise<BannerBundle> | undefined;

/**
 * Bundles src/banner/banner.ts with esbuild once per process (a few milliseconds), so a fresh
 * clone needs no separate build step before `npm start` or `npm test`.
 */
export function buildBanner(): Promise<BannerBundle> {
  cached ??= bundle().catch((err: unknown) => {
    cached = undefined;
    throw err;
  });
  return cached;
}

async function bundle(): Promise<BannerBundle> {
  // Loaded lazily: only this build needs it.
  const esbuild = await import('esbuild').catch((err: unknown) => {
    throw new Error('banner.js is built with esbuild at start-up, and esbuild is not installed (it must be a runtime dependency, not only a dev one)', { cause: err });
  });
  const out = await esbuild.build({
    entryPoints: [join(__dirname, 'banner.ts')],
    bundle: true,
    minify: true,
    format: 'iife',
    target: 'es2020',
    write: false,
    legalComments: 'none',
    logLevel: 'silent',
  });
  const file = out.outputFiles[0];
  if (!file) throw new Error('esbuild produced no banner output');
  const code = Buffer.from(file.contents);
  const gzipped = gzipSync(code, { level: 9 });
  return {
    code,
    gzipped,
    version: createHash('sha256').update(code).digest('hex').slice(0, 16),
    integrity: `sha384-${createHash('sha384').update(code).digest('base64')}`,
    bytes: code.length,
    gzipBytes: gzipped.length,
  };
}
