import { join } from 'node:path';
import { bundleBrowserScript } from '@parley/shared';

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

/**
 * Bundles src/banner/banner.ts with esbuild once per process (a few milliseconds), so a fresh
 * clone needs no separate build step before `npm start` or `npm test`.
 */
export async function buildBanner(): Promise<BannerBundle> {
  const script = await bundleBrowserScript(join(__dirname, 'banner.ts'));
  return { code: script.code, gzipped: script.gzip, version: script.version, integrity: script.sri, bytes: script.bytes, gzipBytes: script.gzipBytes };
}
