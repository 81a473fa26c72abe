/**
 * Stream transport throughput: raw pipelined XADD (the ceiling), publishMany, and consume + ack
 * with a trivial handler, through Redis and in memory. Run alone:
 *   npx tsx bench/transport.bench.ts [messages]
 * (REDIS_URL, default redis://127.0.0.1:6379; keys live under `bench:<random>:` and are deleted.)
 */
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { commentsSubmittedV1, type CommentsSubmittedV1 } from '../shared/src/contracts/events';
import { fixtures } from '../shared/src/contracts/fixtures';
import { uuidv7 } from '../shared/src/ids';
import { createMemoryTransport, createRedisTransport, type StreamTransport } from '../shared/src/streams';
import { deleteKeysWithPrefix } from '../shared/src/testing/resources';
import { onAbortDrop } from './abort';

export interface TransportBenchResult {
  name: string;
  messages: number;
  seconds: number;
  messagesPerSec: number;
}

const PUBLISH_BATCH = 1_000;
const READ_BATCH = 500;

export async function benchTransport(opts: { messages: number; redisUrl: string }): Promise<TransportBenchResult[]> {
  const prefix = `bench:${randomBytes(4).toString('hex')}:`;
  const envelopes = Array.from({ length: opts.messages }, () => envelope());
  const results: TransportBenchResult[] = [];
  const raw = new Redis(opts.redisUrl);
  const forget = onAbortDrop(() => deleteKeysWithPrefix(raw, prefix));
  try {
    results.push(await rawXadd(raw, `${prefix}raw`, envelopes));
    const redis = createRedisTransport({ url: opts.redisUrl, keyPrefix: prefix });
    try {
      results.push(...(await transportCases('redis', redis, envelopes)));
    } finally {
      await redis.close();
    }
    const memory = createMemoryTransport({ maxLen: opts.messages });
    try {
      results.push(...(await transportCases('memory', memory, envelopes)));
    } finally {
      await memory.close();
    }
  } finally {
    forget();
    await deleteKeysWithPrefix(raw, prefix);
    await raw.quit();
  }
  return results;
}

/** The ceiling: what Redis takes from one client pipelining XADDs, with no transport around it. */
async function rawXadd(redis: Redis, key: string, envelopes: CommentsSubmittedV1[]): Promise<TransportBenchResult> {
  return timed('redis: raw pipelined XADD (ioredis)', envelopes.length, async () => {
    for (let i = 0; i < envelopes.length; i += PUBLISH_BATCH) {
      const pipeline = redis.pipeline();
      for (const e of envelopes.slice(i, i + PUBLISH_BATCH)) pipeline.xadd(key, '*', 'e', JSON.stringify(e));
      await pipeline.exec();
    }
  });
}

async function transportCases(
  kind: string,
  transport: StreamTransport,
  envelopes: CommentsSubmittedV1[],
): Promise<TransportBenchResult[]> {
  const n = envelopes.length;
  const backlog = `backlog.${kind}`;
  const publish = await timed(`${kind}: publishMany (batches of ${PUBLISH_BATCH})`, n, () => publishAll(transport, backlog, envelopes));
  const drain = await timed(`${kind}: consume + ack a backlog`, n, () => consume(transport, backlog, n));
  const live = `live.${kind}`;
  const endToEnd = await timed(`${kind}: publish + consume + ack, end to end`, n, async () => {
    const consumed = consume(transport, live, n);
    await publishAll(transport, live, envelopes);
    await consumed;
  });
  return [publish, drain, endToEnd];
}

async function publishAll(transport: StreamTransport, stream: string, envelopes: CommentsSubmittedV1[]): Promise<void> {
  for (let i = 0; i < envelopes.length; i += PUBLISH_BATCH) {
    await transport.publishMany(stream, envelopes.slice(i, i + PUBLISH_BATCH));
  }
}

/** Resolves once `count` messages were handled and the group holds nothing unacknowledged. */
async function consume(transport: StreamTransport, stream: string, count: number): Promise<void> {
  let handled = 0;
  let allHandled!: () => void;
  const done = new Promise<void>((resolve) => (allHandled = resolve));
  const sub = transport.subscribe({
    stream,
    group: 'bench',
    consumer: 'c1',
    schema: commentsSubmittedV1,
    batchSize: READ_BATCH,
    handler: async () => {
      if (++handled === count) allHandled();
    },
  });
  await done;
  while ((await transport.stats(stream, 'bench')).pending > 0) await new Promise((r) => setTimeout(r, 1));
  await sub.stop();
}

async function timed(name: string, messages: number, run: () => Promise<void>): Promise<TransportBenchResult> {
  const start = process.hrtime.bigint();
  await run();
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  return { name, messages, seconds, messagesPerSec: Math.round(messages / seconds) };
}

function envelope(): CommentsSubmittedV1 {
  return { ...fixtures.commentsSubmitted, id: uuidv7() };
}

/** A table with each row's rate as a ratio of the first row (the raw XADD baseline of the same run). */
export function toMarkdown(results: TransportBenchResult[]): string {
  const base = results[0]?.messagesPerSec ?? 1;
  const rows = results.map(
    (r) =>
      `| ${r.name} | ${r.messages.toLocaleString('en')} | ${r.seconds.toFixed(2)} | ${r.messagesPerSec.toLocaleString('en')} | ${(r.messagesPerSec / base).toFixed(2)} |`,
  );
  return ['| case | messages | seconds | msgs/s | × baseline |', '| --- | ---: | ---: | ---: | ---: |', ...rows].join('\n');
}

if (require.main === module) {
  const messages = Number(process.argv[2] ?? 100_000);
  const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
  benchTransport({ messages, redisUrl }).then(
    (results) => process.stdout.write(`${toMarkdown(results)}\n`),
    (err: unknown) => {
      process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
      process.exitCode = 1;
    },
  );
}
