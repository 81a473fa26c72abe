/**
 * What the comment-intake benches share: intake on loopback against a database of its own
 * (dropped afterwards), one site, a request generator for submissions, and a measuring wrapper
 * around autocannon (latency, RSS, event-loop use and CPU per request of this process).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { randomBytes, randomUUID } from 'node:crypto';
import autocannon from 'autocannon';
import type { Kysely } from 'kysely';
import { Redis } from 'ioredis';
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
  type DatabaseHandle,
  type StreamTransport,
  type TenancyReadTables,
} from '@parley/shared';
import { commentIntake } from '@parley/comment-intake';

export const DURATION = Number(process.env.BENCH_DURATION_S ?? 10);
export const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 100);
export const ORIGIN = 'https://bench.example.org';

export interface Row {
  scenario: string;
  rps: number;
  p50: number;
  p99: number;
  errors: number;
  non2xx: number;
  maxRssMb: number;
  /** Event-loop utilisation of this process (service and load generator share it), %. */
  elu: number;
  /** CPU time of this process per request (load generator included; compare with the baseline row). */
  cpuUsPerReq: number;
}

export async function cannon(scenario: string, opts: autocannon.Options): Promise<Row> {
  const elu0 = performance.eventLoopUtilization();
  const cpu0 = process.cpuUsage();
  let maxRss = 0;
  const sampler = setInterval(() => (maxRss = Math.max(maxRss, process.memoryUsage().rss)), 250);
  try {
    const r = await autocannon({ connections: CONNECTIONS, duration: DURATION, ...opts });
    const cpu = process.cpuUsage(cpu0);
    return {
      scenario,
      rps: Math.round(r.requests.average),
      p50: r.latency.p50,
      p99: r.latency.p99,
      errors: r.errors + r.timeouts,
      non2xx: r.non2xx,
      maxRssMb: Math.round(maxRss / 1_048_576),
      elu: Math.round(performance.eventLoopUtilization(elu0).utilization * 100),
      cpuUsPerReq: Math.round((cpu.user + cpu.system) / Math.max(1, r.requests.total)),
    };
  } finally {
    clearInterval(sampler);
  }
}

export function table(rows: Row[]): string[] {
  return [
    '| scenario | req/s | p50 ms | p99 ms | errors | non-2xx | max RSS MB | event loop % | CPU µs/req |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|',
    ...rows.map((r) => `| ${r.scenario} | ${r.rps} | ${r.p50} | ${r.p99} | ${r.errors} | ${r.non2xx} | ${r.maxRssMb} | ${r.elu} | ${r.cpuUsPerReq} |`),
  ];
}

export function listenBare(handler: Parameters<typeof createServer>[1]): Promise<{ server: Server; url: string }> {
  const server = createServer(handler);
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` })));
}

export interface BenchIntake {
  url: string;
  db: DatabaseHandle<any>;
  transport: StreamTransport;
  databaseKind: 'postgres' | 'pglite';
  stop(): Promise<void>;
}

export async function startBenchIntake(): Promise<BenchIntake> {
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
    const u = new URL(databaseUrl);
    u.pathname = `/${name}`;
    databaseUrl = u.toString();
    dropDatabase = async () => {
      const c = new Client({ connectionString: adminUrl });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      await c.end();
    };
  }
  const db = await createDatabase({ databaseUrl, poolSize: Number(process.env.BENCH_POOL ?? 20), logger: silentLogger });
  const prefix = `bench-intake:${randomBytes(3).toString('hex')}:`;
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
  await upsertSiteSnapshot(db.db as Kysely<TenancyReadTables>, 'intake', {
    id: 'bench',
    name: 'bench',
    allowedOrigins: [ORIGIN],
    settings: siteSettingsSchema.parse({ comments: { minSubmitSeconds: 0 } }),
    status: 'active',
    version: 1,
    updatedAt: new Date().toISOString(),
  });
  return {
    url: `http://127.0.0.1:${port}`,
    db,
    transport,
    databaseKind: databaseUrl ? 'postgres' : 'pglite',
    async stop() {
      await closeServer(server);
      await service.stop();
      await transport.close();
      await db.close();
      await dropDatabase();
      await deleteRedisKeys(prefix);
    },
  };
}

/** Streams and rate-limit counters of this run only. */
async function deleteRedisKeys(prefix: string): Promise<void> {
  if (!process.env.REDIS_URL) return;
  const redis = new Redis(process.env.REDIS_URL);
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length) await redis.unlink(...keys);
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}

/** A new comment per request, with its own Idempotency-Key, spread over `threads` articles. */
export function submitRequest(threads = 200): autocannon.Request {
  let n = 0;
  return {
    method: 'POST',
    path: '/v1/sites/bench/threads/article-0/comments',
    setupRequest: (req) => {
      n += 1;
      return {
        ...req,
        path: `/v1/sites/bench/threads/article-${n % threads}/comments`,
        headers: { 'content-type': 'application/json', origin: ORIGIN, 'idempotency-key': randomUUID() },
        body: JSON.stringify({ name: `Reader ${n}`, email: `reader${n % 1000}@example.org`, text: `Comment number ${n}, with a few words to make it realistic.` }),
      };
    },
  };
}
