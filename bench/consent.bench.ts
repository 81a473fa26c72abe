/**
 * Cookie-consent load test: `npx tsx bench/consent.bench.ts`, or `benchConsent()` from the bench
 * runner. DATABASE_URL and REDIS_URL point at real Postgres and Redis (default 127.0.0.1); it makes
 * its own database and Redis key prefix and deletes them afterwards.
 *
 * Each scenario runs against the real service and, in the same run on the same loopback, against a
 * bare node:http server answering the same bytes, so the ratios mean something on any machine.
 * Targets from issue 5: POST /v1/consents ≥ 5,000 records/s at p99 ≤ 50 ms; banner.js ≥ 90% of the
 * static baseline; banner JS+CSS ≤ 6 KB gzipped.
 */
import { spawn } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomBytes, randomUUID } from 'node:crypto';
import autocannon from 'autocannon';
import type { Kysely } from 'kysely';
import { Client } from 'pg';
import Redis from 'ioredis';
import {
  closeServer,
  commonEnvSchema,
  createDatabase,
  createMetrics,
  createTransport,
  listen,
  migrateService,
  silentLogger,
  siteSettingsSchema,
  upsertSiteSnapshot,
  type TenancyReadTables,
} from '@parley/shared';
import { cookieConsent } from '@parley/cookie-consent';

const DURATION = Number(process.env.BENCH_DURATION_S ?? 10);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 64);
const SITES = Number(process.env.BENCH_SITES ?? 16);
const ORIGIN = 'https://bench.example.org';

interface Row {
  scenario: string;
  rps: number;
  p50: number;
  p99: number;
  errors: number;
  non2xx: number;
}

interface Load {
  scenario: string;
  /** Seconds; defaults to BENCH_DURATION_S. */
  duration?: number;
  url: string;
  /** `post`: consent writes spread over `sites`; `get`: plain GETs of url. */
  kind: 'post' | 'get';
  sites?: string[];
}

/**
 * Runs autocannon in a child process: in this process it would compete with the servers under test
 * for the same event loop and skew every ratio.
 */
function cannon(load: Load): Promise<Row> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...process.execArgv, __filename], {
      env: { ...process.env, BENCH_LOAD: JSON.stringify(load) },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve(JSON.parse(out) as Row) : reject(new Error(`load generator exited with ${code}`))));
  });
}

/** The child's side: one autocannon run, its summary as JSON on stdout. */
async function generateLoad(load: Load): Promise<void> {
  let n = 0;
  const sites = load.sites ?? ['x'];
  const opts: autocannon.Options =
    load.kind === 'get'
      ? { url: load.url, headers: { 'accept-encoding': 'gzip' } }
      : {
          url: load.url,
          requests: [
            {
              method: 'POST',
              path: '/v1/consents',
              setupRequest: (req) => ({
                ...req,
                headers: { 'content-type': 'application/json', origin: ORIGIN, 'idempotency-key': randomUUID(), 'user-agent': 'Mozilla/5.0 (X11; Linux x86_64) Chrome/131.0 Safari/537.36' },
                body: JSON.stringify({
                  site: sites[n++ % sites.length],
                  consentId: randomUUID(),
                  revision: 1,
                  action: 'custom',
                  accepted: ['necessary', 'analytics'],
                  rejected: ['functional', 'marketing'],
                  language: 'en',
                  pageUrl: `${ORIGIN}/article/${n}`,
                  gpc: false,
                }),
              }),
            },
          ],
        };
  const r = await autocannon({ connections: CONNECTIONS, duration: load.duration ?? DURATION, ...opts });
  const row: Row = { scenario: load.scenario, rps: Math.round(r.requests.average), p50: r.latency.p50, p99: r.latency.p99, errors: r.errors + r.timeouts, non2xx: r.non2xx };
  process.stdout.write(JSON.stringify(row));
}

function withDatabase(url: string, name: string): string {
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
}

function listenBare(handler: Parameters<typeof createServer>[1]): Promise<{ server: Server; url: string }> {
  const server = createServer(handler);
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` })));
}

/** Runs every scenario; returns the markdown table and notes. */
export async function benchConsent(): Promise<string> {
  // A database and a Redis key prefix of its own, deleted afterwards: the bench never touches real data.
  const adminUrl = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
  const name = `parley_bench_${randomBytes(4).toString('hex')}`;
  const prefix = `bench:${randomBytes(4).toString('hex')}:`;
  const admin = new Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE "${name}"`);
  await admin.end();
  try {
    return await runScenarios(withDatabase(adminUrl, name), redisUrl, prefix);
  } finally {
    const c = new Client({ connectionString: adminUrl });
    await c.connect();
    await c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    await c.end();
    const redis = new Redis(redisUrl);
    for (let cursor = '0', first = true; first || cursor !== '0'; first = false) {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length) await redis.unlink(...keys);
    }
    redis.disconnect();
  }
}

async function runScenarios(databaseUrl: string, redisUrl: string, prefix: string): Promise<string> {
  const db = await createDatabase({ databaseUrl, poolSize: 20, logger: silentLogger });
  const transport = createTransport({ redisUrl, keyPrefix: prefix, logger: silentLogger });
  await migrateService(db, cookieConsent, silentLogger);
  const config = commonEnvSchema.parse({ NODE_ENV: 'test', LOG_LEVEL: 'silent' });
  const service = await cookieConsent.create({
    config: { ...config, PORT: 0, CONSENT_RATE_LIMIT_PER_MINUTE: 100_000_000 } as never,
    logger: silentLogger,
    metrics: createMetrics('cookie-consent'),
    db,
    transport,
    consumerName: 'bench',
  });
  const { server, port } = await listen(service.app, 0, '127.0.0.1');
  await service.start();
  const url = `http://127.0.0.1:${port}`;

  const sites = Array.from({ length: SITES }, (_, i) => `bench-${i}`);
  for (const id of sites) {
    await upsertSiteSnapshot(db.db as Kysely<TenancyReadTables>, 'consent', {
      id,
      name: id,
      allowedOrigins: [ORIGIN],
      settings: siteSettingsSchema.parse({}),
      status: 'active',
      version: 1,
      updatedAt: new Date().toISOString(),
    });
    await fetch(`${url}/v1/sites/${id}/consent/config`); // stores revision 1
  }
  const manifest = (await (await fetch(`${url}/banner.manifest.json`)).json()) as { bytes: number; gzipBytes: number; version: string };
  const bannerGz = Buffer.from(await (await fetch(`${url}/banner/${manifest.version}.js`, { headers: { 'accept-encoding': 'identity' } })).arrayBuffer());

  const rows: Row[] = [];
  const bare = await listenBare((req, res) => {
    if (req.method === 'POST') {
      req.resume();
      req.on('end', () => {
        res.writeHead(201, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ recordId: randomUUID(), consentId: randomUUID(), recordedAt: new Date().toISOString(), receipt: 'x'.repeat(560) }));
      });
      return;
    }
    res.writeHead(200, { 'content-type': 'text/javascript; charset=utf-8', 'content-encoding': 'gzip', 'cache-control': 'public, max-age=300' });
    res.end(bannerGz);
  });
  try {
    // Unrecorded warm-up: JIT, pool connections and chain heads, so the first scenario is not penalised.
    await cannon({ scenario: 'warm-up', url, kind: 'post', sites, duration: Number(process.env.BENCH_WARMUP_S ?? 3) });
    rows.push(await cannon({ scenario: 'bare node:http POST (baseline)', url: bare.url, kind: 'post' }));
    rows.push(await cannon({ scenario: 'POST /v1/consents (one site: one chain)', url, kind: 'post', sites: [sites[0]!] }));
    rows.push(await cannon({ scenario: `POST /v1/consents (${SITES} sites)`, url, kind: 'post', sites }));
    rows.push(await cannon({ scenario: 'bare node:http static banner (baseline)', url: `${bare.url}/banner.js`, kind: 'get' }));
    rows.push(await cannon({ scenario: 'GET /banner.js', url: `${url}/banner.js`, kind: 'get' }));
  } finally {
    await closeServer(bare.server);
    await closeServer(server);
    await service.stop();
    await transport.close();
    await db.close();
  }

  const [postBase, postOne, postMany, staticBase, banner] = rows as [Row, Row, Row, Row, Row];
  const ratio = (a: Row, b: Row) => `${((a.rps / b.rps) * 100).toFixed(0)}%`;
  const lines = [
    `cookie-consent bench — ${DURATION}s per scenario, ${CONNECTIONS} connections, loopback, Postgres and Redis on 127.0.0.1`,
    '',
    '| scenario | req/s | p50 ms | p99 ms | errors | non-2xx |',
    '|---|---:|---:|---:|---:|---:|',
    ...rows.map((r) => `| ${r.scenario} | ${r.rps} | ${r.p50} | ${r.p99} | ${r.errors} | ${r.non2xx} |`),
    '',
    `POST /v1/consents: ${postMany.rps} records/s over ${SITES} sites (${ratio(postMany, postBase)} of bare node:http), one site ${postOne.rps} records/s; target ≥ 5000/s at p99 ≤ 50 ms.`,
    `GET /banner.js: ${ratio(banner, staticBase)} of the static baseline (target ≥ 90%).`,
    `banner.js size: ${manifest.bytes} B minified, ${manifest.gzipBytes} B gzipped JS+CSS (budget 6144 B).`,
  ];
  return lines.join('\n');
}

// Run directly: the bench itself, or (with BENCH_LOAD) one load-generator child of it.
if (require.main === module) {
  const child = process.env.BENCH_LOAD;
  (child ? generateLoad(JSON.parse(child) as Load) : benchConsent().then((md) => void process.stdout.write(`${md}\n`))).catch((err: unknown) => {
    process.stderr.write(`consent bench failed: ${err instanceof Error ? err.stack : String(err)}\n`);
    process.exit(1);
  });
}
