import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
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

let cached: Promise<WidgetBuild> | undefined;

/**
 * Bundles src/widget/embed.ts in memory with esbuild, once per process (tens of milliseconds at
 * start-up), so a fresh clone serves the widget after `npm ci && npm start` with no build step.
 */
export function buildWidget(): Promise<WidgetBuild> {
  cached ??= bundle().catch((err: unknown) => {
    cached = undefined;
    throw err;
  });
  return cached;
}

async function bundle(): Promise<WidgetBuild> {
  const esbuild = await import('esbuild');
  const out = await esbuild.build({
    entryPoints: [join(__dirname, 'embed.ts')],
    bundle: true,
    minify: true,
    format: 'iife',
    target: 'es2020',
    write: false,
    legalComments: 'none',
    logLevel: 'silent',
    charset: 'utf8',
  });
  const file = out.outputFiles[0];
  if (!file) throw new Error('esbuild produced no widget output');
  const code = Buffer.from(file.contents);
  const gzip = gzipSync(code, { level: 9 });
  return {
    js: code.toString('utf8'),
    gzip,
    version: createHash('sha256').update(code).digest('hex').slice(0, 16),
    bytes: code.length,
    gzipBytes: gzip.length,
    sri: `sha384-${createHash('sha384').update(code).digest('base64')}`,
    languages: Object.fromEntries(Object.entries(LANGUAGES).filter(([l]) => l !== 'en').map(([l, s]) => [l, JSON.stringify(s)])),
  };
}
