/**
 * The pipeline bench's baseline: the same process hops with nothing of ours in them, run in the
 * same bench run. A "front" process (bare node:http, standing where comment-intake stands) answers
 * each POST with 202 after one XADD, and pushes an SSE `comment` event to the thread's open streams
 * when the id comes back; a "worker" process (where moderation-queue stands) reads the stream and
 * writes each id to a second one. Plain XREAD, no Postgres, no validation, no batching of our own:
 * what any design with these hops pays on this machine before it stores or decides anything.
 *
 * Started by bench/pipeline.bench.ts with BASELINE_ROLE=front|worker, REDIS_URL, BASELINE_PREFIX, PORT.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type ServerResponse } from 'node:http';
import { Redis } from 'ioredis';

const prefix = process.env.BASELINE_PREFIX ?? 'bench-baseline';
const IN = `${prefix}:submitted`;
const OUT = `${prefix}:decided`;
const redis = () => new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', { maxRetriesPerRequest: null });

type Entries = [string, [string, string[]][]][] | null;

/** Reads `stream` from its end for ever, handing each batch of entries (their fields) to `each`. */
async function follow(stream: string, each: (fields: string[][]) => void | Promise<void>): Promise<never> {
  const conn = redis();
  let last = '$';
  for (;;) {
    const reply = (await conn.xread('COUNT', 500, 'BLOCK', 0, 'STREAMS', stream, last)) as Entries;
    const entries = reply?.[0]?.[1] ?? [];
    if (entries.length === 0) continue;
    last = entries[entries.length - 1]![0];
    await each(entries.map(([, fields]) => fields));
  }
}

function front(): void {
  const out = redis();
  const streams = new Map<string, Set<ServerResponse>>();
  const server = createServer((req, res) => {
    const m = /^\/threads\/([^/]+)\/(comments|events)$/.exec(req.url ?? '');
    if (!m) return void res.writeHead(404).end();
    const thread = m[1]!;
    if (m[2] === 'events') {
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store' });
      res.write(': open\n\n');
      const set = streams.get(thread) ?? new Set();
      set.add(res);
      streams.set(thread, set);
      req.on('close', () => set.delete(res));
      return;
    }
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => (body += c));
    req.on('end', () => {
      JSON.parse(body);
      const id = randomUUID();
      out.xadd(IN, '*', 'id', id, 'thread', thread).then(
        () => res.writeHead(202, { 'content-type': 'application/json' }).end(JSON.stringify({ id, status: 'pending' })),
        () => res.writeHead(503).end(),
      );
    });
  });
  server.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => {
    const { port } = server.address() as { port: number };
    process.stdout.write(`${JSON.stringify({ msg: 'baseline-front listening', port })}\n`);
  });
  void follow(OUT, (batch) => {
    for (const [, id, , thread] of batch) for (const res of streams.get(thread!) ?? []) res.write(`event: comment\nid: ${id}\ndata: {}\n\n`);
  });
}

function worker(): void {
  const out = redis();
  process.stdout.write(`${JSON.stringify({ msg: 'baseline-worker listening', port: 0 })}\n`);
  void follow(IN, async (batch) => {
    const p = out.pipeline();
    for (const [, id, , thread] of batch) p.xadd(OUT, '*', 'id', id!, 'thread', thread!);
    await p.exec();
  });
}

if (process.env.BASELINE_ROLE === 'front') front();
else if (process.env.BASELINE_ROLE === 'worker') worker();
