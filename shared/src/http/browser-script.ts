import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';

/** A browser script bundled for serving: bytes, gzip, a content version and its SRI value. */
export interface BrowserScript {
  code: Buffer;
  /** Gzipped once, for clients that accept it. */
  gzip: Buffer;
  /** First 16 hex of the SHA-256 of the code: a versioned URL changes whenever the code does. */
  version: string;
  /** Subresource Integrity value for `<script integrity=… crossorigin>`. */
  sri: string;
  bytes: number;
  gzipBytes: number;
}

const builds = new Map<string, Promise<BrowserScript>>();

/**
 * Bundles a dependency-free browser entry point with esbuild in memory (minified IIFE), once per
 * process and entry, so a fresh clone serves it with no build step. A failed build is not cached.
 */
export function bundleBrowserScript(entry: string): Promise<BrowserScript> {
  let build = builds.get(entry);
  if (!build) {
    build = bundle(entry).catch((err: unknown) => {
      builds.delete(entry);
      throw err;
    });
    builds.set(entry, build);
  }
  return build;
}

async function bundle(entry: string): Promise<BrowserScript> {
  // Loaded lazily: only start-up needs it, and a missing install should say so plainly.
  const esbuild = await import('esbuild').catch((err: unknown) => {
    throw new Error('browser scripts are built with esbuild at start-up, and esbuild is not installed (it must be a runtime dependency)', { cause: err });
  });
  const out = await esbuild.build({
    entryPoints: [entry],
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
  if (!file) throw new Error(`esbuild produced no output for ${entry}`);
  const code = Buffer.from(file.contents);
  const gzip = gzipSync(code, { level: 9 });
  return {
    code,
    gzip,
    version: createHash('sha256').update(code).digest('hex').slice(0, 16),
    sri: `sha384-${createHash('sha384').update(code).digest('base64')}`,
    bytes: code.length,
    gzipBytes: gzip.length,
  };
}
