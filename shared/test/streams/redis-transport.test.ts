import { createServer, connect as tcpConnect, type AddressInfo, type Server, type Socket } from 'node:net';
import { Redis } from 'ioredis';
import { commentsSubmittedV1 } from '../../src/contracts/events';
import type { Delivery, StreamTransport, Subscription } from '../../src/streams';
import { createRedisTransport, createTransport } from '../../src/streams';
import { createTestRedisPrefix } from '../../src/testing/resources';
import { describeTransportContract, message, waitFor } from './transport.contract';

describeTransportContract('redis', async (options = {}) => {
  const { url, prefix, cleanup } = createTestRedisPrefix();
  const transport = createRedisTransport({ url, keyPrefix: prefix, maxLen: options.maxLen, metrics: options.metrics });
  const raw = new Redis(url);
  return {
    transport,
    publishRaw: async (stream, text) => void (await raw.xadd(prefix + stream, '*', 'e', text)),
    cleanup: async () => {
      await transport.close();
      await raw.quit();
      await cleanup();
    },
  };
});

describe('redis transport', () => {
  let prefix: string;
  let testUrl: string;
  let raw: Redis;
  let transport: StreamTransport;
  let cleanup: () => Promise<void>;
  let subs: Subscription[];

  beforeEach(() => {
    const test = createTestRedisPrefix();
    prefix = test.prefix;
    testUrl = test.url;
    cleanup = test.cleanup;
    raw = new Redis(test.url);
    transport = createRedisTransport({ url: test.url, keyPrefix: prefix });
    subs = [];
  });

  afterEach(async () => {
    await Promise.all(subs.map((s) => s.stop()));
    await transport.close();
    await raw.quit();
    await cleanup();
  });

  test('when publishing, then entries land under the key prefix with the envelope as JSON in field e', async () => {
    const sent = message();
    const id = await transport.publish('keys', sent);

    const entries = await raw.xrange(`${prefix}keys`, '-', '+');
    expect(entries).toEqual([[id, ['e', JSON.stringify(sent)]]]);
    expect(await raw.exists('keys')).toBe(0);
  });

  test('when a consumer restarts under the same name, then it first handles the entries it left pending', async () => {
    const sent = message();
    const key = `${prefix}restart`;
    await raw.xgroup('CREATE', key, 'g', '0', 'MKSTREAM');
    const entryId = await raw.xadd(key, '*', 'e', JSON.stringify(sent));
    // The previous incarnation read the entry and died before acknowledging it.
    await raw.xreadgroup('GROUP', 'g', 'c1', 'COUNT', 10, 'STREAMS', key, '>');

    const seen: Delivery[] = [];
    subs.push(
      transport.subscribe({
        stream: 'restart',
        group: 'g',
        consumer: 'c1',
        schema: commentsSubmittedV1,
        claimIdleMs: 600_000,
        handler: async (d) => void seen.push(d),
      }),
    );
    await waitFor(async () => seen.length === 1 && (await transport.stats('restart', 'g')).pending === 0);
    expect(seen[0]).toMatchObject({ entryId, deliveries: 2 });
  });

  test('when an entry has no envelope field, then it is dead-lettered with its fields kept as raw', async () => {
    const key = `${prefix}foreign`;
    await raw.xadd(key, '*', 'hello', 'world');
    subs.push(
      transport.subscribe({
        stream: 'foreign',
        group: 'g',
        consumer: 'c1',
        schema: commentsSubmittedV1,
        handler: async () => {
          throw new Error('must not be called');
        },
      }),
    );
    await waitFor(async () => (await transport.stats('foreign', 'g')).deadLetters === 1);
    const [dead] = await transport.readDeadLetters('foreign');
    expect(dead).toMatchObject({ reason: 'schema', deliveries: 1, raw: JSON.stringify({ hello: 'world' }) });
    expect(await raw.xlen(`${prefix}foreign.dead`)).toBe(1);
  });

  test('when entries the group has not read were deleted, then stats still count the unread ones as lag', async () => {
    const key = `${prefix}holes`;
    await raw.xgroup('CREATE', key, 'g', '0', 'MKSTREAM');
    const ids = await transport.publishMany('holes', [message(), message(), message()]);
    await raw.xdel(key, ids[1]!);

    expect(await transport.stats('holes', 'g')).toEqual({ length: 2, pending: 0, lag: 2, deadLetters: 0 });
  });

  test('when a redis URL is given, then createTransport builds the Redis transport', async () => {
    const chosen = createTransport({ redisUrl: testUrl, keyPrefix: prefix });
    try {
      expect(chosen.kind).toBe('redis');
      expect(await chosen.ping()).toBe(true);
    } finally {
      await chosen.close();
    }
  });

  test('when the connection to Redis drops, then the consumer reconnects and handles what was published meanwhile', async () => {
    const proxy = await startProxy(new URL(testUrl));
    const cut = createRedisTransport({ url: `redis://127.0.0.1:${proxy.port}`, keyPrefix: prefix });
    const seen: string[] = [];
    try {
      const sub = cut.subscribe({
        stream: 'outage',
        group: 'g',
        consumer: 'c1',
        schema: commentsSubmittedV1,
        handler: async (d) => void seen.push(d.envelope.id),
      });
      const first = message();
      await transport.publish('outage', first);
      await waitFor(() => seen.length === 1);

      await proxy.stop(); // Redis is "down" for the consumer
      const second = message();
      await transport.publish('outage', second);
      expect(await cut.ping()).toBe(false);
      await proxy.start();

      await waitFor(async () => seen.length === 2 && (await transport.stats('outage', 'g')).pending === 0, 20_000);
      expect(seen).toEqual([first.id, second.id]);
      await sub.stop();
    } finally {
      await cut.close();
      await proxy.stop();
    }
  });

  test('when Redis is unreachable, then ping answers false instead of hanging', async () => {
    const down = createRedisTransport({ url: 'redis://127.0.0.1:1' });
    try {
      expect(await down.ping()).toBe(false);
    } finally {
      await down.close();
    }
  });
});

/** A TCP proxy to Redis that can be cut (every connection reset) and restored on the same port. */
async function startProxy(target: URL): Promise<{ port: number; stop(): Promise<void>; start(): Promise<void> }> {
  const sockets = new Set<Socket>();
  let server: Server | undefined;
  let port = 0;
  const start = async () => {
    server = createServer((client) => {
      const upstream = tcpConnect(Number(target.port || 6379), target.hostname);
      for (const s of [client, upstream]) {
        sockets.add(s);
        s.on('error', () => undefined);
        s.on('close', () => sockets.delete(s));
      }
      client.pipe(upstream).pipe(client);
    });
    await new Promise<void>((resolve) => server!.listen(port, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  };
  const stop = async () => {
    const closing = server ? new Promise((resolve) => server!.close(resolve)) : Promise.resolve();
    server = undefined;
    for (const s of sockets) s.destroy();
    await closing;
  };
  await start();
  return { port, start, stop };
}
