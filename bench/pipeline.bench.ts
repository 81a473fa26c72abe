/**
 * Submit → visible, end to end: `npx tsx bench/pipeline.bench.ts [rate/s] [seconds] [runs]`.
 *
 * comment-intake and moderation-queue run as production runs them: each in its own process from its
 * own entry point (`services/<name>/src/main.ts`, NODE_ENV=production), against real Postgres and
 * Redis, in a scratch database and Redis prefix deleted afterwards. A site in post-moderation mode is
 * created through the operator API and reaches intake by `sites.changed`. This process is the
 * readers and the writers: it holds every thread's live stream (SSE) open, and submits `rate`
 * comments/s over HTTP, each with its form token, for `seconds`. A comment is visible when its
 * `comment` event arrives on its thread's stream: intake stored it, moderation decided it, intake
 * applied the decision and pushed it to the open pages. Latency runs from the start of the POST.
 * First, the same load goes through the same hops with nothing of ours (measureBaseline), so the
 * run reports its own floor beside its figures.
 */
import { randomBytes } from 'node:crypto';
import { Agent, get, request, type IncomingMessage } from 'node:http';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Streams, commentsStatusChangedV1, commentsSubmittedV1, createTransport, silentLogger, type Envelope, type StreamTransport } from '@parley/shared';
import type { z } from 'zod';
import { intakeProcessEnv } from './intake-setup';
import { ORIGIN } from './load';
import { percentile } from './moderation.bench';
import { REDIS_URL, createScratch } from './scratch';
import { cpuSeconds, cpuSecondsOf, machineBusySeconds, startNodeProcess, startProcess, type ServiceProcess } from './processes';

const THREADS = Number(process.env.BENCH_THREADS ?? 20);
const BOOTSTRAP = `pk_benchpipe123_${randomBytes(16).toString('hex')}`;

// Readers have connections of their own: the pool must never be where submits queue.
const agent = new Agent({ keepAlive: true, maxSockets: 2_000 });

function call(url: string, method: string, headers: Record<string, string>, body?: unknown): Promise<{ status: number; json: any }> {
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const req = request(url, { method, agent, headers: payload ? { ...headers, 'content-type': 'application/json' } : headers }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, json: text ? JSON.parse(text) : undefined }));
    });
    req.on('error', reject);
    // A request that never answers fails the run (and its clean-up runs) instead of hanging it.
    req.setTimeout(60_000, () => req.destroy(new Error(`${method} ${url}: no answer in 60 s`)));
    req.end(payload);
  });
}

/** Opens a thread's live stream; calls `onComment(id)` as each `comment` event arrives. */
function openStream(url: string, onComment: (id: string) => void): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    get(url, { headers: { origin: ORIGIN, accept: 'text/event-stream' } }, (res) => {
      if (res.statusCode !== 200) return reject(new Error(`live stream answered ${res.statusCode}`));
      let buffer = '';
      // The stream ends with its server (the baseline's is stopped mid-run): a missing event shows that, not a crash.
      res.on('error', () => undefined);
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        buffer += chunk;
        const events = buffer.split('\n\n');
        buffer = events.pop() ?? '';
        for (const e of events) {
          if (!e.startsWith('event: comment\n')) continue;
          const id = /\nid: ([^\n]+)/.exec(e)?.[1];
          if (id) onComment(id);
        }
      });
      resolve(res);
    }).on('error', reject);
  });
}

export interface PipelineBenchOptions {
  rate: number;
  seconds: number;
  /** Measured runs after one warm-up, each `seconds` long; the summary takes their median p99. */
  rounds: number;
}

type Submit = () => Promise<{ status: number; json: any }>;

/** `rate` submits/s for `s` seconds, in 10 ms ticks; resolves when every comment is visible (or 60 s passed). */
async function flow(rate: number, s: number, submit: Submit, visibleAt: ReadonlyMap<string, number>) {
  const sentAt = new Map<string, number>();
  const accepted: number[] = [];
  const inFlight: Promise<void>[] = [];
  const one = async () => {
    const t0 = performance.now();
    const res = await submit();
    if (res.status !== 202) throw new Error(`submit answered ${res.status}: ${JSON.stringify(res.json)}`);
    accepted.push(performance.now() - t0);
    sentAt.set(res.json.id as string, t0);
  };
  const total = rate * s;
  const start = performance.now();
  for (let sent = 0; sent < total; ) {
    const due = Math.min(total, Math.floor(((performance.now() - start) / 1000) * rate) + 1);
    for (; sent < due; sent++) inFlight.push(one());
    await new Promise((r) => setTimeout(r, 10));
  }
  await Promise.all(inFlight);
  const deadline = performance.now() + 60_000;
  while ([...sentAt.keys()].some((id) => !visibleAt.has(id)) && performance.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  const latencies = [...sentAt].filter(([id]) => visibleAt.has(id)).map(([id, t0]) => visibleAt.get(id)! - t0);
  latencies.sort((a, b) => a - b);
  accepted.sort((a, b) => a - b);
  return { sentAt, accepted, latencies };
}

/**
 * CPU seconds used so far by two processes, by every process whose command starts with one of
 * `others`, by this process (the load: submits, live streams, stage observers) and by the whole box.
 */
const cpuSample = (a: ServiceProcess, b: ServiceProcess, others: string[]) => [
  cpuSeconds(a.pid),
  cpuSeconds(b.pid),
  ...others.map(cpuSecondsOf),
  (process.cpuUsage().user + process.cpuUsage().system) / 1e6,
  machineBusySeconds(),
];
/** Column `i` of two samples as µs of CPU per comment. */
const perComment = (cpu0: number[], cpu1: number[], comments: number) => (i: number) => `${(((cpu1[i]! - cpu0[i]!) * 1e6) / comments).toFixed(0)} µs`;

const ms = (v: number) => `${v.toFixed(1)} ms`;
const spread = (d: number[]) => `p50 ${ms(percentile(d, 50))} · p95 ${ms(percentile(d, 95))} · p99 ${ms(percentile(d, 99))}`;

/**
 * The same load through the same hops with nothing of ours (bench/pipeline-baseline.ts): two bare
 * processes over Redis streams, no Postgres. Run first, and stopped before the services start.
 */
async function measureBaseline(rate: number, seconds: number, prefix: string, started: ServiceProcess[]) {
  const env = { REDIS_URL, BASELINE_PREFIX: prefix };
  const entry = join(__dirname, 'pipeline-baseline.ts');
  const worker = await startNodeProcess('baseline-worker', entry, { ...env, BASELINE_ROLE: 'worker' });
  started.push(worker);
  const front = await startNodeProcess('baseline-front', entry, { ...env, BASELINE_ROLE: 'front' });
  started.push(front);
  const visibleAt = new Map<string, number>();
  const streams: IncomingMessage[] = [];
  try {
    for (let i = 0; i < THREADS; i++) streams.push(await openStream(`${front.url}/threads/story-${i}/events`, (id) => visibleAt.set(id, performance.now())));
    let k = 0;
    const submit: Submit = () => {
      const i = k++;
      return call(`${front.url}/threads/story-${i % THREADS}/comments`, 'POST', { origin: ORIGIN }, { name: `Reader ${i}`, text: `Reader ${i} here.` });
    };
    await flow(rate, 2, submit, visibleAt);
    const cpu0 = cpuSample(front, worker, ['redis-server']);
    const { latencies, accepted } = await flow(rate, seconds, submit, visibleAt);
    const cpu1 = cpuSample(front, worker, ['redis-server']);
    const total = rate * seconds;
    const us = perComment(cpu0, cpu1, total);
    return {
      p99: percentile(latencies, 99),
      row: [
        `baseline: the same hops bare (node:http → XADD → worker → XADD → SSE), no Postgres, at ${rate}/s for ${seconds} s`,
        `${latencies.length}/${total} visible`,
        spread(latencies),
        `POST → 202 p99 ${ms(percentile(accepted, 99))}; CPU per comment: front ${us(0)}, worker ${us(1)}, Redis ${us(2)}, load generator ${us(3)}; whole machine ${us(4)}`,
      ],
    };
  } finally {
    for (const st of streams) st.destroy();
    for (const p of [front, worker]) {
      await p.stop();
      started.splice(started.indexOf(p), 1);
    }
  }
}

/** Runs the scenario; returns the markdown table. */
export async function benchPipeline({ rate, seconds, rounds }: PipelineBenchOptions): Promise<string> {
  const scratch = await createScratch('pipeline');
  const shared = { DATABASE_URL: scratch.databaseUrl, REDIS_URL, REDIS_KEY_PREFIX: scratch.redisPrefix };
  const started: ServiceProcess[] = [];
  const streams: IncomingMessage[] = [];
  // Stage clocks: when each comment's event first shows up in Redis, read by a group of our own.
  const transport: StreamTransport = createTransport({ redisUrl: REDIS_URL, keyPrefix: scratch.redisPrefix, logger: silentLogger });
  const seenSubmitted = new Map<string, number>();
  const seenDecided = new Map<string, number>();
  const observe = <E extends Envelope>(stream: string, schema: z.ZodType<E>, seen: Map<string, number>) =>
    transport.subscribe<E>({
      stream,
      group: 'bench-observer',
      consumer: 'o',
      schema,
      blockMs: 50,
      batchSize: 500,
      batchHandler: async (ds) => {
        const now = performance.now();
        for (const d of ds) {
          const id = (d.envelope.payload as { commentId: string }).commentId;
          if (!seen.has(id)) seen.set(id, now);
        }
      },
    });
  const observers = [observe(Streams.commentsSubmitted, commentsSubmittedV1, seenSubmitted), observe(Streams.commentsStatusChanged, commentsStatusChangedV1, seenDecided)];
  try {
    const baseline = await measureBaseline(rate, seconds, `${scratch.redisPrefix}baseline`, started);
    const moderation = await startProcess('moderation-queue', { ...shared, BOOTSTRAP_ADMIN_KEY: BOOTSTRAP, MODERATION_SECRETS_KEY: randomBytes(32).toString('hex') });
    started.push(moderation);
    // Limits on, as in production, and far above this load: every submit comes from one address.
    const intake = await startProcess('comment-intake', { ...shared, ...intakeProcessEnv() });
    started.push(intake);

    const site = await call(`${moderation.url}/v1/admin/sites`, 'POST', { authorization: `Bearer ${BOOTSTRAP}` }, {
      id: 'bench',
      name: 'Bench',
      allowedOrigins: [ORIGIN],
      settings: { comments: { minSubmitSeconds: 0 }, moderation: { mode: 'post' } },
    });
    if (site.status !== 201) throw new Error(`creating the site answered ${site.status}`);
    const thread = (i: number) => `${intake.url}/v1/sites/bench/threads/story-${i}`;
    const tokens: string[] = [];
    for (let i = 0; i < THREADS; i++) {
      // The first call waits for `sites.changed` to reach intake.
      for (let tries = 0; ; tries++) {
        const t = await call(`${thread(i)}/form-token`, 'GET', { origin: ORIGIN });
        if (t.status === 200) {
          tokens.push(t.json.token as string);
          break;
        }
        if (tries > 200) throw new Error(`form token answered ${t.status}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    }
    const visibleAt = new Map<string, number>();
    for (let i = 0; i < THREADS; i++) streams.push(await openStream(`${thread(i)}/events`, (id) => visibleAt.set(id, performance.now())));

    // Numbered on across the warm-up: a repeated author and text would be a duplicate, rejected and never shown.
    let n = 0;
    const submit: Submit = () => {
      const k = n++;
      return call(`${thread(k % THREADS)}/comments`, 'POST', { origin: ORIGIN, 'idempotency-key': `bench-${k}-${randomBytes(6).toString('hex')}` }, {
        name: `Reader ${k}`,
        email: `reader${k}@example.org`,
        text: `Reader ${k} here: the council should publish the full budget figures before the vote, as promised in spring.`,
        formToken: tokens[k % THREADS],
      });
    };
    await flow(rate, 2, submit, visibleAt); // warm-up: JIT, pools, consumer groups
    // Who uses the machine: the two services, Postgres, Redis, the load and the whole box.
    const cpu0 = cpuSample(intake, moderation, ['postgres', 'redis-server']);
    // One run's p99 swings by 2× on this shared machine: several runs, and their median.
    const runs: Awaited<ReturnType<typeof flow>>[] = [];
    for (let r = 0; r < rounds; r++) runs.push(await flow(rate, seconds, submit, visibleAt));
    const cpu1 = cpuSample(intake, moderation, ['postgres', 'redis-server']);
    const total = rate * seconds;
    const us = perComment(cpu0, cpu1, total * rounds);
    const sentAt = new Map(runs.flatMap((run) => [...run.sentAt]));
    const accepted = runs.flatMap((run) => run.accepted).sort((a, b) => a - b);
    const p99s = runs.map((run) => percentile(run.latencies, 99)).sort((a, b) => a - b);
    const medianP99 = p99s[Math.floor(p99s.length / 2)]!;
    const stage = (from: (id: string) => number | undefined, to: (id: string) => number | undefined) => {
      const d = [...sentAt.keys()].flatMap((id) => {
        const [a, b] = [from(id), to(id)];
        return a === undefined || b === undefined ? [] : [b - a];
      });
      d.sort((x, y) => x - y);
      return `p50 ${ms(percentile(d, 50))} · p99 ${ms(percentile(d, 99))}`;
    };
    const rows = [
      baseline.row,
      ...runs.map(({ latencies }, r) => [
        `submit → visible at ${rate}/s for ${seconds} s, run ${r + 1} of ${rounds}`,
        `${latencies.length}/${total} visible`,
        spread(latencies),
        `max ${ms(latencies.at(-1) ?? NaN)}; p99 ${(percentile(latencies, 99) / baseline.p99).toFixed(1)} × the baseline's`,
      ]),
      [
        `of which POST → 202 (the ${rounds} runs)`,
        `${accepted.length} accepted`,
        spread(accepted),
        `CPU per comment: intake ${us(0)}, moderation ${us(1)}, Postgres ${us(2)}, Redis ${us(3)}, load generator ${us(4)}; whole machine ${us(5)}`,
      ],
      ['of which POST → comments.submitted in Redis', '', stage((id) => sentAt.get(id), (id) => seenSubmitted.get(id)), 'intake: commit, outbox relay'],
      ['of which comments.submitted → comments.status-changed', '', stage((id) => seenSubmitted.get(id), (id) => seenDecided.get(id)), 'moderation: read, judge, commit, outbox relay'],
      ['of which comments.status-changed → visible', '', stage((id) => seenDecided.get(id), (id) => visibleAt.get(id)), 'intake: read, apply, commit, live notice, SSE'],
    ];
    return [
      `Two processes (comment-intake, moderation-queue) from their production entry points; ${THREADS} threads, each with an open live stream. The baseline, run first in the same run, sends the same load through the same hops with nothing of ours: bare node:http and Redis streams, no Postgres.`,
      '',
      '| scenario | volume | result | |',
      '|---|---|---|---|',
      ...rows.map((r) => `| ${r.join(' | ')} |`),
      '',
      `Submit → visible p99, median of the ${rounds} runs: ${ms(medianP99)} (${(medianP99 / baseline.p99).toFixed(1)} × the baseline's); target ≤ 100 ms at 1,000/s.`,
      '',
    ].join('\n');
  } finally {
    for (const o of observers) await o.stop();
    await transport.close();
    for (const s of streams) s.destroy();
    agent.destroy();
    for (const p of started.reverse()) await p.stop();
    await scratch.drop();
  }
}

if (require.main === module) {
  benchPipeline({ rate: Number(process.argv[2] ?? 1_000), seconds: Number(process.argv[3] ?? 10), rounds: Number(process.argv[4] ?? 3) }).then(
    (md) => void process.stdout.write(`${md}\n`),
    (err: unknown) => {
      process.stderr.write(`pipeline bench failed: ${err instanceof Error ? err.stack : String(err)}\n`);
      process.exit(1);
    },
  );
}
