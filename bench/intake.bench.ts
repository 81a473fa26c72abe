/**
 * Comment-intake load test: `npx tsx bench/intake.bench.ts` (DATABASE_URL and REDIS_URL point at
 * real Postgres and Redis; default 127.0.0.1). The load generator is a child process (bench/load.ts).
 *
 * Each scenario runs against the real service and, in the same run on the same loopback, against a
 * bare node:http server answering the same bytes, so the ratios mean something on any machine.
 * Targets from issue 3: submit ≥ 5,000 accepted comments/s at p99 ≤ 50 ms (100 connections);
 * thread read of 50 comments ≥ 5,000 req/s. RSS is sampled during the load.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { closeServer } from '@parley/shared';
import { CONNECTIONS, startBenchIntake, startIntakeProcess } from './intake-setup';
import { DURATION, ORIGIN, cannon, listenBare, table, type Row } from './load';

const WARM_UP_S = Number(process.env.BENCH_WARMUP_S ?? 3);

/**
 * Submits to intake started from its production entry point in a process of its own, after the
 * same warm-up as the in-process service: beside the in-process row it shows what sharing the
 * bench's process costs the service.
 */
async function submitToOwnProcess(): Promise<Row> {
  const service = await startIntakeProcess();
  try {
    await cannon('warm-up', { kind: 'submit', url: service.url }, { connections: CONNECTIONS, duration: WARM_UP_S });
    return await cannon('POST comment, own process (production entry point)', { kind: 'submit', url: service.url }, { connections: CONNECTIONS, pid: service.pid });
  } finally {
    await service.stop();
  }
}

/** The section for `npm run bench` (bench/sections.ts): a markdown table and the verdicts. */
export async function benchIntake(): Promise<string> {
  const intake = await startBenchIntake();
  const { url, db } = intake;

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

  const rows: Row[] = [];
  const opts = { connections: CONNECTIONS };
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
  let stored: string | undefined;
  try {
    if (process.env.BENCH_ONLY === 'post') {
      // For profiling the write path alone (e.g. under --cpu-prof).
      rows.push(await cannon('POST comment (Idempotency-Key, 200 threads)', { kind: 'submit', url }, opts));
    } else {
      rows.push(await cannon('bare node:http POST (baseline)', { kind: 'submit', url: bare.url }, opts));
      await cannon('warm-up', { kind: 'submit', url }, { ...opts, duration: WARM_UP_S }); // JIT, pools: as the other process gets
      rows.push(await cannon('POST comment (Idempotency-Key, 200 threads)', { kind: 'submit', url }, opts));
      rows.push(await submitToOwnProcess());
      rows.push(await cannon('bare node:http GET 50-comment page (baseline)', { kind: 'get', url: `${bare.url}/page` }, opts));
      // The shared frame alone (request id, helmet, metrics, router): the floor under every route.
      rows.push(await cannon('GET /healthz (shared frame only)', { kind: 'get', url: `${url}/healthz` }, opts));
      rows.push(await cannon('GET thread of 50 comments', { kind: 'get', url: `${url}/v1/sites/bench/threads/read-50/comments` }, opts));
      const etag = (await fetch(`${url}/v1/sites/bench/threads/read-50/comments`)).headers.get('etag') ?? '';
      rows.push(await cannon('GET thread, If-None-Match → 304', { kind: 'get', url: `${url}/v1/sites/bench/threads/read-50/comments`, headers: { 'if-none-match': etag } }, opts));
    }
    stored = (await sql<{ n: string }>`select count(*) as n from intake.comments`.execute(db.db)).rows[0]?.n ?? '?';
  } finally {
    await closeServer(bare.server);
    await intake.stop();
  }

  const lines = [
    `comment-intake bench — ${DURATION}s per scenario, ${CONNECTIONS} connections, loopback, database: ${intake.databaseKind}, streams: ${intake.transport.kind}; ${stored ?? '?'} comments stored`,
    '',
    ...table(rows),
    '',
  ];
  if (rows.length === 7) {
    const [postBase, post, own, getBase, frame, get, notModified] = rows as [Row, Row, Row, Row, Row, Row, Row];
    const ratio = (a: Row, b: Row) => `${((a.rps / b.rps) * 100).toFixed(0)}%`;
    lines.push(
      `POST comment: ${post.rps} accepted/s at p99 ${post.p99} ms in the bench's process (${ratio(post, postBase)} of bare node:http); ${own.rps}/s at p99 ${own.p99} ms as its own process; target ≥ 5000/s at p99 ≤ 50 ms.`,
      `GET thread (50 comments): ${get.rps} req/s (${ratio(get, getBase)} of bare node:http, ${ratio(get, frame)} of /healthz); 304s: ${notModified.rps} req/s; target ≥ 5000 req/s.`,
    );
  }
  return lines.join('\n');
}

if (require.main === module) {
  benchIntake().then(
    (md) => void process.stdout.write(`${md}\n`),
    (err: unknown) => {
      process.stderr.write(`intake bench failed: ${err instanceof Error ? err.stack : String(err)}\n`);
      process.exit(1);
    },
  );
}
