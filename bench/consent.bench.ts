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
import { randomBytes, randomUUID } from 'node:crypto';
import { get, type IncomingHttpHeaders } from 'node:http';
import type { Kysely } from 'kysely';
import { closeServer, siteSettingsSchema, upsertSiteSnapshot, type TenancyReadTables } from '@parley/shared';
import { cookieConsent } from '@parley/cookie-consent';
import { DURATION, ORIGIN, cannon, listenBare, table, type Load, type Row } from './load';
import type { ServiceProcess } from './processes';
import { startBenchService, startScratchProcess, type BenchService } from './scratch';

const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 64);
const SITES = Number(process.env.BENCH_SITES ?? 16);
// banner.js and its baseline alternate this many times: single runs on a shared box differ by 2×.
const BANNER_ROUNDS = Number(process.env.BENCH_BANNER_ROUNDS ?? 3);

/** A GET as the bytes arrive (fetch would decompress them). */
function rawGet(url: string, headers: Record<string, string>): Promise<{ headers: IncomingHttpHeaders; body: Buffer }> {
  return new Promise((resolve, reject) => {
    get(url, { headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ headers: res.headers, body: Buffer.concat(chunks) }));
    }).on('error', reject);
  });
}

const RATE_LIMIT = 100_000_000;
const WARM_UP_S = Number(process.env.BENCH_WARMUP_S ?? 3);

/** The bench's sites, each with revision 1 of the default config (stored by the first config read). */
async function addSites(db: Kysely<TenancyReadTables>, url: string, sites: string[]): Promise<void> {
  for (const id of sites) {
    await upsertSiteSnapshot(db, 'consent', {
      id,
      name: id,
      allowedOrigins: [ORIGIN],
      settings: siteSettingsSchema.parse({}),
      status: 'active',
      version: 1,
      updatedAt: new Date().toISOString(),
    });
    await fetch(`${url}/v1/sites/${id}/consent/config`);
  }
}

/** cookie-consent as production runs it (see startScratchProcess), with keys of its own. */
function startConsentProcess(sites: string[]): Promise<ServiceProcess> {
  const env = {
    CONSENT_SIGNING_KEY: randomBytes(32).toString('hex'),
    CONSENT_IP_HASH_KEY: randomBytes(32).toString('hex'),
    CONSENT_RATE_LIMIT_PER_MINUTE: String(RATE_LIMIT),
  };
  // The directory reads its snapshot table on a miss, so sites added once it listens are found.
  return startScratchProcess('cookie-consent', cookieConsent, env, (db, url) => addSites(db.db as Kysely<TenancyReadTables>, url, sites));
}

/** The 16-site write scenario against the service in its own process, after the same warm-up. */
async function writeToOwnProcess(sites: string[]): Promise<Row> {
  const service = await startConsentProcess(sites);
  try {
    const opts = { connections: CONNECTIONS, pid: service.pid };
    await cannon('warm-up', { kind: 'consent', url: service.url, sites }, { ...opts, duration: WARM_UP_S });
    return await cannon(`POST /v1/consents (${sites.length} sites), own process (production entry point)`, { kind: 'consent', url: service.url, sites }, opts);
  } finally {
    await service.stop();
  }
}

/** Runs every scenario; returns the markdown table and notes. */
export async function benchConsent(): Promise<string> {
  // The write limit is on (its Redis round trip is part of the cost) but never bites.
  const consent = await startBenchService(cookieConsent, 'consent', { CONSENT_RATE_LIMIT_PER_MINUTE: RATE_LIMIT });
  try {
    return await runScenarios(consent);
  } finally {
    await consent.stop();
  }
}

async function runScenarios({ url, db }: BenchService): Promise<string> {
  const sites = Array.from({ length: SITES }, (_, i) => `bench-${i}`);
  await addSites(db.db as Kysely<TenancyReadTables>, url, sites);
  const manifest = (await (await fetch(`${url}/banner.manifest.json`)).json()) as { bytes: number; gzipBytes: number; version: string };
  // The static baseline answers with the very bytes and headers the service sends for /banner.js
  // (helmet's included), so the ratio measures the serving path, not a difference in bytes.
  const served = await rawGet(`${url}/banner.js`, { 'accept-encoding': 'gzip' });
  const bannerHeaders: Record<string, string> = {};
  for (const [k, v] of Object.entries(served.headers)) {
    if (typeof v === 'string' && !['date', 'connection', 'keep-alive', 'transfer-encoding', 'content-length'].includes(k)) bannerHeaders[k] = v;
  }
  const bannerGzipped = served.body;

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
    res.writeHead(200, bannerHeaders);
    res.end(bannerGzipped);
  });
  const run = (scenario: string, load: Load, duration?: number) => cannon(scenario, load, { connections: CONNECTIONS, duration });
  try {
    // banner.js first, on a quiet service: after the write scenarios the relay and the statistics
    // consumer are still working through their backlog and would share the CPU with it.
    const gzip = { 'accept-encoding': 'gzip' };
    await run('warm-up', { kind: 'get', url: `${url}/banner.js`, headers: gzip }, WARM_UP_S);
    const banner: Row[] = [];
    for (let i = 0; i < BANNER_ROUNDS; i++) {
      banner.push(await run('bare node:http static banner (baseline)', { kind: 'get', url: `${bare.url}/banner.js`, headers: gzip }));
      banner.push(await run('GET /banner.js', { kind: 'get', url: `${url}/banner.js`, headers: gzip }));
    }
    if (process.env.BENCH_ONLY === 'own') {
      // For profiling the service alone: BENCH_PROFILE_DIR=dir writes its CPU profile there.
      rows.push(await writeToOwnProcess(sites));
    } else if (process.env.BENCH_ONLY !== 'banner') {
      // Unrecorded warm-up: JIT, pool connections and chain heads, so the first scenario is not penalised.
      await run('warm-up', { kind: 'consent', url, sites }, WARM_UP_S);
      rows.push(await run('bare node:http POST (baseline)', { kind: 'consent', url: bare.url, sites }));
      rows.push(await run('POST /v1/consents (one site: one chain)', { kind: 'consent', url, sites: [sites[0]!] }));
      rows.push(await run(`POST /v1/consents (${SITES} sites)`, { kind: 'consent', url, sites }));
      rows.push(await writeToOwnProcess(sites));
    }
    rows.push(...banner);
  } finally {
    await closeServer(bare.server);
  }

  const ratio = (a: number, b: number) => `${((a / b) * 100).toFixed(0)}%`;
  const sum = (name: string, key: 'rps' | 'cpuUsPerReq') => rows.filter((r) => r.scenario === name).reduce((n, r) => n + r[key], 0);
  const [servedRps, statik] = [sum('GET /banner.js', 'rps'), sum('bare node:http static banner (baseline)', 'rps')];
  const [servedCpu, statikCpu] = [sum('GET /banner.js', 'cpuUsPerReq'), sum('bare node:http static banner (baseline)', 'cpuUsPerReq')];
  const lines = [
    `cookie-consent bench — ${DURATION}s per scenario, ${CONNECTIONS} connections, loopback, Postgres and Redis on 127.0.0.1`,
    '',
    ...table(rows),
    '',
  ];
  const [postBase, postOne, postMany, postOwn] = rows;
  if (postBase && postOne && postMany && postOwn && postBase.scenario.startsWith('bare node:http POST')) {
    lines.push(
      `POST /v1/consents: ${postMany.rps} records/s at p99 ${postMany.p99} ms over ${SITES} sites in the bench's process (${ratio(postMany.rps, postBase.rps)} of bare node:http), ` +
        `${postOwn.rps}/s at p99 ${postOwn.p99} ms as its own process; one site ${postOne.rps} records/s; target ≥ 5000/s at p99 ≤ 50 ms.`,
    );
  }
  lines.push(
    `GET /banner.js (${BANNER_ROUNDS} runs each, alternated): ${ratio(servedRps, statik)} of the static baseline's requests/s, ${ratio(statikCpu, servedCpu)} of its efficiency in CPU per request (target ≥ 90%).`,
    `banner.js size: ${manifest.bytes} B minified, ${manifest.gzipBytes} B gzipped JS+CSS (budget 6144 B).`,
  );
  return lines.join('\n');
}

if (require.main === module) {
  benchConsent().then(
    (md) => void process.stdout.write(`${md}\n`),
    (err: unknown) => {
      process.stderr.write(`consent bench failed: ${err instanceof Error ? err.stack : String(err)}\n`);
      process.exit(1);
    },
  );
}
