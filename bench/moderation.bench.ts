/**
 * Moderation pipeline benchmark: `npx tsx bench/moderation.bench.ts [comments] [rate/s] [seconds]`
 * (DATABASE_URL and REDIS_URL point at real Postgres and Redis; default 127.0.0.1). One worker
 * process (this one) with MODERATION_WORKER_CONCURRENCY consumers (default: the service's, 2).
 *
 * 1. Throughput: `comments` envelopes are waiting in `comments.submitted`; the worker starts and
 *    the clock runs until every comment is decided (stored, verdict recorded, status change in the
 *    outbox) — decided comments per second.
 * 2. Latency: a steady `rate` comments/s for `seconds`; for each, the time from XADD of
 *    `comments.submitted` until its `comments.status-changed` is read back from Redis (the point
 *    at which intake can make it visible): p50 / p95 / p99.
 * Uses its own database and Redis key prefix, both deleted afterwards.
 */
import { createHash, randomBytes } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import {
  ConsumerGroups,
  Streams,
  commentsStatusChangedV1,
  createDatabase,
  createMetrics,
  createSiteBodySchema,
  createTransport,
  fixtures,
  migrateService,
  silentLogger,
  uuidv7,
  type CommentsSubmittedV1,
} from '@parley/shared';
import { ensureSite, moderationQueue } from '@parley/moderation-queue';
import { REDIS_URL, createScratch } from './scratch';

const CONCURRENCY = process.env.MODERATION_WORKER_CONCURRENCY ?? '2';

const hex = (s: string) => createHash('sha256').update(s).digest('hex');

function envelope(n: number): CommentsSubmittedV1 {
  const f = fixtures.commentsSubmitted;
  const who = randomBytes(6).toString('hex');
  return {
    ...f,
    id: uuidv7(),
    site: 'bench',
    occurredAt: new Date().toISOString(),
    payload: {
      ...f.payload,
      commentId: uuidv7(),
      threadId: `thread-${n % 100}`,
      text: `Comment ${n}: a considered reply about the treaty and the evidence, with a source https://example.org/${n} (${who})`,
      author: { ...f.payload.author, emailHash: hex(`e${who}`), ipHash: hex(`i${who}`), fingerprint: hex(`f${who}`) },
      submittedAt: new Date().toISOString(),
    },
  };
}

/** The p-th percentile of sorted values (the pipeline bench uses it too). */
export function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

export interface ModerationBenchOptions {
  /** Comments waiting in the stream for the throughput run. */
  total: number;
  /** Comments per second for the latency run, and for how long. */
  rate: number;
  seconds: number;
}

/** Runs both scenarios; returns the markdown table. */
export async function benchModeration({ total, rate, seconds }: ModerationBenchOptions): Promise<string> {
  const scratch = await createScratch('moderation');
  const db = await createDatabase({ databaseUrl: scratch.databaseUrl, logger: silentLogger });
  const transport = createTransport({ redisUrl: REDIS_URL, keyPrefix: scratch.redisPrefix, logger: silentLogger });
  try {
    await migrateService(db, moderationQueue, silentLogger);
    await ensureSite({ db: db.db as never, afterCommit: () => undefined }, createSiteBodySchema.parse({ id: 'bench', name: 'Bench', settings: { comments: { minSubmitSeconds: 0 } } }));
    const kdb = db.db as Kysely<any>;
    const count = async () => Number((await sql<{ n: string }>`select count(*) as n from moderation.comments`.execute(kdb)).rows[0]!.n);

    // 1. Throughput from a full stream.
    for (let i = 0; i < total; i += 1_000) {
      await transport.publishMany(Streams.commentsSubmitted, Array.from({ length: Math.min(1_000, total - i) }, (_, k) => envelope(i + k)));
    }
    const service = await moderationQueue.create({
      config: { NODE_ENV: 'production', LOG_LEVEL: 'silent', MODERATION_WORKER_CONCURRENCY: CONCURRENCY, MODERATION_SECRETS_KEY: randomBytes(32).toString('hex'), BOOTSTRAP_ADMIN_KEY: 'pk_benchbench12_abcdefghijklmnopqrstuvwxyz012345' } as never,
      logger: silentLogger,
      metrics: createMetrics('moderation-bench'),
      db,
      transport,
      consumerName: `bench-${process.pid}`,
    });
    const t0 = process.hrtime.bigint();
    const cpu0 = process.cpuUsage();
    await service.start();
    // Every entry acknowledged means every comment committed (acks follow commits). Asking Redis
    // keeps the poll off Postgres, where a count(*) every 20 ms would compete with the worker.
    for (;;) {
      const s = await transport.stats(Streams.commentsSubmitted, ConsumerGroups.moderationQueue);
      if (s.lag === 0 && s.pending === 0) break;
      await new Promise((r) => setTimeout(r, 10));
    }
    const throughputSeconds = Number(process.hrtime.bigint() - t0) / 1e9;
    // The worker's own CPU per comment: on a shared machine a steadier figure than the rate.
    const cpu = process.cpuUsage(cpu0);
    const cpuUsPerComment = (cpu.user + cpu.system) / total;
    const decided = await count();
    if (decided !== total) throw new Error(`${decided} of ${total} comments decided`);

    // 2. Latency at a steady rate.
    const sentAt = new Map<string, number>();
    const latencies: number[] = [];
    const observer = transport.subscribe({
      stream: Streams.commentsStatusChanged,
      group: 'bench-observer',
      consumer: 'o',
      schema: commentsStatusChangedV1,
      blockMs: 50,
      handler: async (d) => {
        const at = sentAt.get(d.envelope.payload.commentId);
        if (at !== undefined) latencies.push(performance.now() - at);
      },
    });
    // Steady state only: the relay publishes the throughput run's status changes and the observer
    // reads past them before the clock starts, or their backlog would be measured as latency.
    const unpublished = async () =>
      Number((await sql<{ n: string }>`select count(*) as n from moderation.outbox where published_at is null`.execute(kdb)).rows[0]!.n);
    while ((await unpublished()) > 0) await new Promise((r) => setTimeout(r, 20));
    for (;;) {
      const s = await transport.stats(Streams.commentsStatusChanged, 'bench-observer');
      if (s.lag === 0 && s.pending === 0) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    const n = rate * seconds;
    const tickMs = 10;
    const perTick = Math.max(1, Math.round((rate * tickMs) / 1000));
    const start = performance.now();
    for (let sent = 0; sent < n; ) {
      const batch = Array.from({ length: Math.min(perTick, n - sent) }, (_, k) => envelope(total + sent + k));
      const now = performance.now();
      for (const e of batch) sentAt.set(e.payload.commentId, now);
      await transport.publishMany(Streams.commentsSubmitted, batch);
      sent += batch.length;
      const due = start + (sent / rate) * 1000;
      const wait = due - performance.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    }
    const deadline = performance.now() + 60_000;
    while (latencies.length < n && performance.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    await observer.stop();
    await service.stop();
    latencies.sort((a, b) => a - b);
    const rows = [
      ['pipeline throughput (full stream, one process)', `${total} comments`, `${(total / throughputSeconds).toFixed(0)} decided/s`, `${throughputSeconds.toFixed(2)} s, worker CPU ${cpuUsPerComment.toFixed(0)} µs/comment`],
      [`submit → status-changed at ${rate}/s for ${seconds} s`, `${latencies.length}/${n} observed`, `p50 ${percentile(latencies, 50).toFixed(1)} ms · p95 ${percentile(latencies, 95).toFixed(1)} ms · p99 ${percentile(latencies, 99).toFixed(1)} ms`, `max ${latencies.at(-1)?.toFixed(1)} ms`],
    ];
    return `Consumers per process: ${CONCURRENCY}\n\n| scenario | volume | result | |\n|---|---|---|---|\n${rows.map((r) => `| ${r.join(' | ')} |`).join('\n')}\n`;
  } finally {
    await transport.close();
    await db.close();
    await scratch.drop();
  }
}

if (require.main === module) {
  benchModeration({ total: Number(process.argv[2] ?? 20_000), rate: Number(process.argv[3] ?? 1_000), seconds: Number(process.argv[4] ?? 10) }).then((md) => process.stdout.write(`${md}\n`)).catch((err: unknown) => {
    process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
    process.exit(1);
  });
}
