/**
 * Comment-intake load test: `npx tsx bench/intake.bench.ts` (DATABASE_URL and REDIS_URL point at
 * real Postgres and Redis; without them PGlite and the in-process transport are used).
 *
 * Each scenario runs against the real service and, in the same run on the same loopback, against a
 * bare node:http server answering the same bytes, so the ratios mean something on any machine.
 * Targets from issue 3: submit ≥ 5,000 accepted comments/s at p99 ≤ 50 ms (100 connections);
 * thread read of 50 comments ≥ 5,000 req/s. RSS is sampled during the load.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomBytes, randomUUID } from 'node:crypto';
import autocannon from 'autocannon';
import { sql, type Kysely } from 'kysely';
import { Client } from 'pg';
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
import { commentIntake } from '@parley/comment-intake';

const DURATION = Number(process.env.BENCH_DURATION_S ?? 10);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 100);
const ORIGIN = 'https://bench.example.org';

interface Row {
  scenario: string;
  rps: number;
  p50: number;
  p99: number;
  errors: number;
  non2xx: number;
  maxRssMb: number;
}

async function cannon(scenario: string, opts: autocannon.Options): Promise<Row> {
  let maxRss = 0;
  const sampler = setInterval(() => (maxRss = Math.max(maxRss, process.memoryUsage().rss)), 250);
  try {
    const r = await autocannon({ connections: CONNECTIONS, duration: DURATION, ...opts });
    return {
      scenario,
      rps: Math.round(r.requests.average),
      p50: r.latency.p50,
      p99: r.latency.p99,
      errors: r.errors + r.timeouts,
      non2xx: r.non2xx,
      maxRssMb: Math.round(maxRss / 1_048_576),
    };
  } finally {
    clearInterval(sampler);
  }
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

async function main(): Promise<void> {
  let dropDatabase = async () => undefined as void;
  let databaseUrl = process.env.DATABASE_URL;
  if (databaseUrl) {
    // A database of its own, dropped afterwards: the bench never touches real data.
    const name = `parley_bench_${randomBytes(4).toString('hex')}`;
    const admin = new Client({ connectionString: databaseUrl });
    await admin.connect();
    await admin.query(`CREATE DATABASE "${name}"`);
    await admin.end();
    const adminUrl = databaseUrl;
    databaseUrl = withDatabase(databaseUrl, name);
    dropDatabase = async () => {
      const c = new Client({ connectionString: adminUrl });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      await c.end();
    };
  }
  const db = await createDatabase({ databaseUrl, poolSize: Number(process.env.BENCH_POOL ?? 20), logger: silentLogger });
  const prefix = `bench:${randomBytes(3).toString('hex')}:`;
  const transport = createTransport({ redisUrl: process.env.REDIS_URL, keyPrefix: prefix, logger: silentLogger });
  await migrateService(db, commentIntake, silentLogger);
  const config = commonEnvSchema.parse({ NODE_ENV: 'test', LOG_LEVEL: 'silent' });
  const service = await commentIntake.create({
    config: {
      ...config,
      PORT: 0,
      REDIS_URL: process.env.REDIS_URL,
      REDIS_KEY_PREFIX: prefix,
      // Limits are on (their Redis round trips are part of the cost) but never bite.
      ...(process.env.BENCH_NO_RATE_LIMITS
        ? { RATE_LIMIT_IP_PER_MINUTE: 0, RATE_LIMIT_EMAIL_PER_MINUTE: 0, RATE_LIMIT_SITE_PER_MINUTE: 0 }
        : { RATE_LIMIT_IP_PER_MINUTE: 100_000_000, RATE_LIMIT_EMAIL_PER_MINUTE: 100_000_000, RATE_LIMIT_SITE_PER_MINUTE: 100_000_000 }),
    } as never,
    logger: silentLogger,
    metrics: createMetrics('comment-intake'),
    db,
    transport,
    consumerName: 'bench',
  });
  const { server, port } = await listen(service.app, 0, '127.0.0.1');
  await service.start();
  const url = `http://127.0.0.1:${port}`;

  await upsertSiteSnapshot(db.db as Kysely<TenancyReadTables>, 'intake', {
    id: 'bench',
    name: 'bench',
    allowedOrigins: [ORIGIN],
    settings: siteSettingsSchema.parse({ comments: { minSubmitSeconds: 0 } }),
    status: 'active',
    version: 1,
    updatedAt: new Date().toISOString(),
  });

  // A thread of 50 approved comments (some replies) for the read scenario.
  const ids: string[] = [];
  for (let i = 0; i < 50; i++) {
    const parentId = i % 5 === 4 ? ids[i - 1] : undefined;
    const res = await fetch(`${url}/v1/sites/bench/threads/read-50/comments`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: ORIGIN },
      body: JSON.stringify({ name: `Reader ${i}`, text: `Comment ${i}: a considered reply with a link https://example.org/${i} and some words.`, parentId }),
    });
    ids.push(((await res.json()) as { id: string }).id);
  }
  await sql`update intake.comments set status = 'approved' where thread_id = 'read-50'`.execute(db.db);
  await sql`update intake.threads set approved_count = 50, version = version + 1 where id = 'read-50'`.execute(db.db);
  await new Promise((r) => setTimeout(r, 1100)); // the memoised thread version expires
  const page = await (await fetch(`${url}/v1/sites/bench/threads/read-50/comments`)).text();

  let n = 0;
  const submitRequest: autocannon.Request = {
    method: 'POST',
    path: '/v1/sites/bench/threads/submit/comments',
    setupRequest: (req) => {
      n += 1;
      return {
        ...req,
        path: `/v1/sites/bench/threads/article-${n % 200}/comments`,
        headers: { 'content-type': 'application/json', origin: ORIGIN, 'idempotency-key': randomUUID() },
        body: JSON.stringify({ name: `Reader ${n}`, email: `reader${n % 1000}@example.org`, text: `Comment number ${n}, with a few words to make it realistic.` }),
      };
    },
  };

  const rows: Row[] = [];
  const bare = await listenBare((req, res) => {
    if (req.method === 'POST') {
      req.resume();
      req.on('end', () => {
        res.writeHead(202, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ id: randomUUID(), status: 'pending', authorToken: randomBytes(32).toString('base64url') }));
      });
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json', etag: '"x"', 'cache-control': 'public, max-age=5' });
    res.end(page);
  });
  try {
    rows.push(await cannon('bare node:http POST (baseline)', { url: bare.url, requests: [submitRequest] }));
    rows.push(await cannon('POST comment (Idempotency-Key, 200 threads)', { url, requests: [submitRequest] }));
    rows.push(await cannon('bare node:http GET 50-comment page (baseline)', { url: `${bare.url}/page` }));
    rows.push(await cannon('GET thread of 50 comments', { url: `${url}/v1/sites/bench/threads/read-50/comments` }));
    const etag = (await fetch(`${url}/v1/sites/bench/threads/read-50/comments`)).headers.get('etag') ?? '';
    rows.push(await cannon('GET thread, If-None-Match → 304', { url: `${url}/v1/sites/bench/threads/read-50/comments`, headers: { 'if-none-match': etag } }));
  } finally {
    await closeServer(bare.server);
    await closeServer(server);
    await service.stop();
    await transport.close();
    const stored = await sql<{ n: string }>`select count(*) as n from intake.comments`.execute(db.db);
    process.stdout.write(`comments stored: ${stored.rows[0]?.n}\n`);
    await db.close();
    await dropDatabase();
  }

  const [postBase, post, getBase, get, notModified] = rows as [Row, Row, Row, Row, Row];
  const ratio = (a: Row, b: Row) => `${((a.rps / b.rps) * 100).toFixed(0)}%`;
  const lines = [
    `comment-intake bench — ${DURATION}s per scenario, ${CONNECTIONS} connections, loopback, database: ${databaseUrl ? 'postgres' : 'pglite'}, streams: ${transport.kind}`,
    '',
    '| scenario | req/s | p50 ms | p99 ms | errors | non-2xx | max RSS MB |',
    '|---|---:|---:|---:|---:|---:|---:|',
    ...rows.map((r) => `| ${r.scenario} | ${r.rps} | ${r.p50} | ${r.p99} | ${r.errors} | ${r.non2xx} | ${r.maxRssMb} |`),
    '',
    `POST comment: ${post.rps} accepted/s at p99 ${post.p99} ms (${ratio(post, postBase)} of bare node:http); target ≥ 5000/s at p99 ≤ 50 ms.`,
    `GET thread (50 comments): ${get.rps} req/s (${ratio(get, getBase)} of bare node:http); 304s: ${notModified.rps} req/s; target ≥ 5000 req/s.`,
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`intake bench failed: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
