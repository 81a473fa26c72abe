import { randomBytes } from 'node:crypto';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { sql, type Kysely } from 'kysely';
import { Streams, createSiteBodySchema, migrateService, silentLogger } from '@parley/shared';
import { eventually, publishedEnvelopes, startTestInfra, type TestInfraHandle } from '@parley/shared/testing';
import { ensureSite, moderationQueue } from '@parley/moderation-queue';
import { submittedEnvelope } from './support';

/**
 * The moderation worker as its own process (`src/main.ts`, the production entry point, bundled
 * once so a restart takes a moment rather than a transpile) is killed with SIGKILL a few seconds
 * after each start, and started again, while TOTAL comments flow through
 * `comments.submitted`. Every comment must end decided exactly once: lost 0, duplicate decisions 0,
 * with redeliveries observed (reclaimed entries of the killed consumers).
 */
const TOTAL = Number(process.env.MODERATION_FAULT_TOTAL ?? 10_000);
const ROOT = join(__dirname, '..', '..');
const BOOTSTRAP = 'pk_faultfault12_abcdefghijklmnopqrstuvwxyz012345';

jest.setTimeout(900_000);

let infra: TestInfraHandle;
let bundleDir: string;
let child: ChildProcess | undefined;
let reclaimed = 0;
let starts = 0;

/** A started worker, and a promise that resolves once it listens (migrated, consumers started). */
function startWorker(): { p: ChildProcess; ready: Promise<void> } {
  starts += 1;
  let markReady: () => void = () => undefined;
  const ready = new Promise<void>((r) => (markReady = r));
  const p = spawn(process.execPath, [join(bundleDir, 'main.js')], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH,
      NODE_PATH: join(ROOT, 'node_modules'),
      NODE_ENV: 'production',
      DATABASE_URL: infra.databaseUrl,
      REDIS_URL: infra.redisUrl,
      REDIS_KEY_PREFIX: infra.redisPrefix,
      PORT: '0',
      LOG_LEVEL: 'info',
      BOOTSTRAP_ADMIN_KEY: BOOTSTRAP,
      MODERATION_SECRETS_KEY: randomBytes(32).toString('hex'),
      STREAM_CLAIM_IDLE_MS: '1000',
      MODERATION_WORKER_CONCURRENCY: '4',
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let buffer = '';
  p.stdout!.setEncoding('utf8');
  p.stdout!.on('data', (chunk: string) => {
    buffer += chunk;
    const lines = buffer.split('\n');
    buffer = lines.pop() ?? '';
    for (const line of lines) {
      // Proof the fault fired: entries a killed consumer held are taken over by the next one.
      if (line.includes('listening"')) markReady();
      if (line.includes('"reclaimed idle entries"')) reclaimed += Number((JSON.parse(line) as { count?: number }).count ?? 0);
    }
  });
  p.once('exit', () => markReady());
  return { p, ready };
}

function kill(p: ChildProcess | undefined): Promise<void> {
  if (!p || p.exitCode !== null || p.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    p.once('exit', () => resolve());
    p.kill('SIGKILL');
  });
}

beforeAll(async () => {
  bundleDir = await mkdtemp(join(tmpdir(), 'parley-mq-'));
  await build({
    entryPoints: [join(ROOT, 'services/moderation-queue/src/main.ts')],
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    outfile: join(bundleDir, 'main.js'),
    external: ['@electric-sql/pglite', 'pg-native'],
    logLevel: 'silent',
  });
  infra = await startTestInfra();
  await migrateService(infra.db, moderationQueue, silentLogger);
  await ensureSite({ db: infra.db.db, afterCommit: () => undefined }, createSiteBodySchema.parse({ id: 'fault', name: 'Fault', settings: { comments: { minSubmitSeconds: 0 } } }));
});

afterAll(async () => {
  await kill(child);
  await infra?.close();
  if (bundleDir) await rm(bundleDir, { recursive: true, force: true });
});

describe('moderation worker killed repeatedly under load', () => {
  it('when the worker is SIGKILLed every few seconds while 10,000 comments flow, then each is decided exactly once and redeliveries happened', async () => {
    const db = infra.db.db as Kysely<any>;
    let worker = startWorker();
    child = worker.p;
    let running = true;
    let flowing = true;
    const killer = (async () => {
      while (running) {
        await worker.ready;
        // Killed mid-flow, 2–4 s into its work, at a moment it holds delivered and unacknowledged
        // entries: the worker keeps up with the flow, so a kill at a random instant can find it idle.
        await new Promise((r) => setTimeout(r, 2_000 + Math.random() * 2_000));
        while (running && flowing && (await infra.transport.stats(Streams.commentsSubmitted, 'moderation-queue')).pending === 0) {
          await new Promise((r) => setTimeout(r, 2));
        }
        if (!running) break;
        await kill(child);
        worker = startWorker();
        child = worker.p;
      }
    })();
    const ids: string[] = [];
    try {
    for (let sent = 0; sent < TOTAL; sent += 100) {
      const batch = Array.from({ length: Math.min(100, TOTAL - sent) }, (_, i) => submittedEnvelope('fault', sent + i));
      ids.push(...batch.map((e) => e.payload.commentId));
      await infra.transport.publishMany(Streams.commentsSubmitted, batch);
      await new Promise((r) => setTimeout(r, 200)); // a steady flow (~500/s) across several worker lives
    }
    flowing = false;
    const count = async () => Number((await sql<{ n: string }>`select count(*) as n from moderation.comments`.execute(db)).rows[0]!.n);
    // Keep killing until everything is decided, then let the last worker live.
    await eventually(async () => (await count()) >= TOTAL && starts >= 4, 840_000, 500);
    } finally {
      running = false;
      await killer;
    }
    await eventually(async () => {
      const s = await infra.transport.stats(Streams.commentsSubmitted, 'moderation-queue');
      return s.pending === 0 && s.lag === 0;
    }, 60_000, 200);

    const decided = (await sql<{ id: string }>`select id from moderation.comments`.execute(db)).rows.map((r) => r.id);
    const verdicts = await sql<{ n: string; max: string }>`
      select count(*) as n, coalesce(max(c), 0) as max from (select comment_id, count(*) as c from moderation.comment_events where kind = 'verdict' group by comment_id) v`.execute(db);
    // Verdicts are announced through the outbox, whose rows go once published: read the stream. A
    // relay killed between a publish and its delete publishes that event again (at least once), so
    // what counts is the distinct events per comment.
    const announcedPerComment = async () => {
      const events = new Map<string, Set<string>>();
      for (const e of await publishedEnvelopes(infra, Streams.commentsStatusChanged)) {
        const id = (e.payload as { commentId: string }).commentId;
        events.set(id, (events.get(id) ?? new Set()).add(e.id));
      }
      return new Map([...events].map(([id, set]) => [id, set.size]));
    };
    await eventually(async () => (await announcedPerComment()).size >= TOTAL, 60_000, 200);
    const announced = await announcedPerComment();
    const dead = await infra.transport.readDeadLetters(Streams.commentsSubmitted, 10);
    const decidedSet = new Set(decided);
    const lost = ids.filter((id) => !decidedSet.has(id)).length;
    const report = {
      sent: ids.length,
      decided: decided.length,
      lost,
      duplicateDecisions: Number(verdicts.rows[0]!.max) > 1 ? Number(verdicts.rows[0]!.max) - 1 : 0,
      statusChangesPerComment: Math.max(0, ...announced.values()),
      workerStarts: starts,
      reclaimedEntries: reclaimed,
      deadLetters: dead.length,
    };
    expect(report).toMatchObject({ sent: TOTAL, decided: TOTAL, lost: 0, duplicateDecisions: 0, statusChangesPerComment: 1, deadLetters: 0 });
    expect(Number(verdicts.rows[0]!.n)).toBe(TOTAL);
    expect(announced.size).toBe(TOTAL);
    expect(report.workerStarts).toBeGreaterThanOrEqual(4);
    expect(report.reclaimedEntries).toBeGreaterThan(0);
    process.stdout.write(`moderation worker fault: ${JSON.stringify(report)}\n`);
  });
});
