import { join } from 'node:path';
import { bundleBrowserScript } from '@parley/shared';
import { LANGUAGES } from './i18n';

export interface WidgetBuild {
  /** The minified script (its CSS inside). */
  js: string;
  /** The same, gzipped once, for clients that accept it. */
  gzip: Buffer;
  /** First 16 hex of the SHA-256 of the code: `/embed.<version>.js` changes whenever the code does. */
  version: string;
  bytes: number;
  gzipBytes: number;
  /** Subresource Integrity value for `<script integrity=… crossorigin>`. */
  sri: string;
  /** Strings of every language but English (which is inside the script), as JSON by language code. */
  languages: Record<string, string>;
}

/** The budget: JS + CSS at most 12 KB gzipped. */
export const WIDGET_GZIP_BUDGET = 12 * 1024;

/**
 * Bundles src/widget/embed.ts in memory with esbuild, once per process (tens of milliseconds at
 * start-up), so a fresh clone serves the widget after `npm ci && npm start` with no build step.
 */
export async function buildWidget(): Promise<WidgetBuild> {
  const script = await bundleBrowserScript(join(__dirname, 'embed.ts'));
  return {
    js: script.code.toString('utf8'),
    gzip: script.gzip,
    version: script.version,
    bytes: script.bytes,
    gzipBytes: script.gzipBytes,
    sri: script.sri,
    languages: Object.fromEntries(Object.entries(LANGUAGES).filter(([l]) => l !== 'en').map(([l, t]) => [l, JSON.stringify(t)])),
  };
}
