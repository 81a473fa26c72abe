/**
 * The load generator of the HTTP benches, run in a child process: in the process under test it
 * would take the same event loop and CPU as the server and skew every figure. The parent measures
 * its own CPU, event-loop use and RSS while the child runs, so "CPU µs/req" is the service's alone.
 */
import { spawn } from 'node:child_process';
import { createServer, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { randomUUID } from 'node:crypto';
import autocannon from 'autocannon';
import { cpuSeconds, rssMb } from './processes';

export const DURATION = Number(process.env.BENCH_DURATION_S ?? 10);
export const ORIGIN = 'https://bench.example.org';

export type Load =
  | { kind: 'get'; url: string; headers?: Record<string, string> }
  /** New comments with their own Idempotency-Key, spread over `threads` articles of site `bench`. */
  | { kind: 'submit'; url: string; threads?: number }
  /** Consent writes spread round-robin over `sites`. */
  | { kind: 'consent'; url: string; sites: string[] };

export interface Row {
  scenario: string;
  rps: number;
  p50: number;
  p99: number;
  errors: number;
  non2xx: number;
  /** Of the process under test, sampled during the load. */
  maxRssMb: number;
  /** Event-loop utilisation of the process under test, % (NaN when it runs in a process of its own). */
  elu: number;
  /** CPU time of the process under test per request (the load generator is another process). */
  cpuUsPerReq: number;
}

interface Summary {
  rps: number;
  total: number;
  p50: number;
  p99: number;
  errors: number;
  non2xx: number;
}

export interface CannonOptions {
  connections: number;
  duration?: number;
  /**
   * The service runs in this process (see bench/processes.ts), not in the caller: its CPU and RSS are
   * read from /proc, and its event-loop use is not known (shown as –).
   */
  pid?: number;
}

/** One scenario: the load in a child process, the service's process measured meanwhile. */
export async function cannon(scenario: string, load: Load, opts: CannonOptions): Promise<Row> {
  const { pid } = opts;
  const elu0 = performance.eventLoopUtilization();
  const cpuMicros = () => (pid === undefined ? process.cpuUsage().user + process.cpuUsage().system : cpuSeconds(pid) * 1e6);
  const rss = () => (pid === undefined ? Math.round(process.memoryUsage().rss / 1_048_576) : rssMb(pid));
  const cpu0 = cpuMicros();
  let maxRss = rss();
  const sampler = setInterval(() => (maxRss = Math.max(maxRss, rss())), 250);
  try {
    const s = await runChild({ load, connections: opts.connections, duration: opts.duration ?? DURATION });
    return {
      scenario,
      rps: s.rps,
      p50: s.p50,
      p99: s.p99,
      errors: s.errors,
      non2xx: s.non2xx,
      maxRssMb: maxRss,
      elu: pid === undefined ? Math.round(performance.eventLoopUtilization(elu0).utilization * 100) : NaN,
      cpuUsPerReq: Math.round((cpuMicros() - cpu0) / Math.max(1, s.total)),
    };
  } finally {
    clearInterval(sampler);
  }
}

export function table(rows: Row[]): string[] {
  return [
    '| scenario | req/s | p50 ms | p99 ms | errors | non-2xx | max RSS MB | event loop % | CPU µs/req |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|',
    ...rows.map((r) => `| ${r.scenario} | ${r.rps} | ${r.p50} | ${r.p99} | ${r.errors} | ${r.non2xx} | ${r.maxRssMb} | ${Number.isNaN(r.elu) ? '–' : r.elu} | ${r.cpuUsPerReq} |`),
  ];
}

/** The baselines: a bare node:http server on loopback answering the same bytes as the route measured. */
export function listenBare(handler: RequestListener): Promise<{ server: Server; url: string }> {
  const server = createServer(handler);
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` })));
}

interface ChildJob {
  load: Load;
  connections: number;
  duration: number;
}

function runChild(job: ChildJob): Promise<Summary> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', __filename], {
      env: { ...process.env, BENCH_LOAD_JOB: JSON.stringify(job) },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve(JSON.parse(out) as Summary) : reject(new Error(`load generator exited with ${code}`))));
  });
}

function options(load: Load): autocannon.Options {
  if (load.kind === 'get') return { url: load.url, headers: load.headers };
  let n = 0;
  if (load.kind === 'submit') {
    const threads = load.threads ?? 200;
    return {
      url: load.url,
      requests: [
        {
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
        },
      ],
    };
  }
  const sites = load.sites;
  return {
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
}

/** The child's side: one autocannon run, its summary as JSON on stdout. */
async function generate(job: ChildJob): Promise<void> {
  const r = await autocannon({ connections: job.connections, duration: job.duration, ...options(job.load) });
  const summary: Summary = {
    rps: Math.round(r.requests.average),
    total: r.requests.total,
    p50: r.latency.p50,
    p99: r.latency.p99,
    errors: r.errors + r.timeouts,
    non2xx: r.non2xx,
  };
  process.stdout.write(JSON.stringify(summary));
}

if (require.main === module && process.env.BENCH_LOAD_JOB) {
  generate(JSON.parse(process.env.BENCH_LOAD_JOB) as ChildJob).catch((err: unknown) => {
    process.stderr.write(`load generator failed: ${err instanceof Error ? err.stack : String(err)}\n`);
    process.exit(1);
  });
}
