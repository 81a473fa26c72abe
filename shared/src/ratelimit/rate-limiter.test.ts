import { Writable } from 'node:stream';
import Redis from 'ioredis';
import pino from 'pino';
import { silentLogger } from '../logger';
import { createTestRedisPrefix, startRedisChild, type RedisChild } from '../testing';
import { createRateLimiter, type RateLimitBucket } from './rate-limiter';

/** Like the intake's limiter connection: fail fast while Redis is away. */
const connect = (url: string) => new Redis(url, { enableOfflineQueue: false, maxRetriesPerRequest: 0, commandTimeout: 500 });

const ip = (limit: number, key = 'ip-hash-1'): RateLimitBucket => ({ name: 'ip', key, limit });
const site = (limit: number, key = 'daily'): RateLimitBucket => ({ name: 'site', key, limit });

describe.each(['redis', 'memory'] as const)('rate limiter (%s counters)', (mode) => {
  let redis: Redis | undefined;
  let keys: ReturnType<typeof createTestRedisPrefix>;

  beforeAll(async () => {
    keys = createTestRedisPrefix();
    if (mode === 'redis') {
      redis = connect(keys.url);
      await new Promise((resolve) => redis!.once('ready', resolve));
    }
  });

  afterAll(async () => {
    redis?.disconnect();
    await keys.cleanup();
  });

  const limiter = (name: string) => createRateLimiter({ redis, keyPrefix: `${keys.prefix}${name}:`, logger: silentLogger });

  it('when a client stays within its limit, then it is allowed and the headers show what is left', async () => {
    const rl = limiter('within');
    const d = await rl.check([ip(3), site(100)]);
    expect(d.allowed).toBe(true);
    expect(d.headers['RateLimit-Policy']).toBe('"ip"; q=3; w=60, "site"; q=100; w=60');
    expect(d.headers.RateLimit).toMatch(/^"ip"; r=2; t=(59|60), "site"; r=99; t=(59|60)$/);
  });

  it('when a client goes over its limit, then it is refused with Retry-After up to the window end', async () => {
    const rl = limiter('over');
    const answers = [];
    for (let i = 0; i < 4; i++) answers.push(await rl.check([ip(2)]));
    expect(answers.map((d) => d.allowed)).toEqual([true, true, false, false]);
    const refused = answers[3]!;
    expect(refused.refusedBy).toBe('ip');
    expect(refused.retryAfterS).toBeGreaterThanOrEqual(1);
    expect(refused.retryAfterS).toBeLessThanOrEqual(60);
    expect(refused.headers.RateLimit).toMatch(/^"ip"; r=0; t=\d+$/);
  });

  it('when one client is refused, then it does not use up the shared site budget of the others', async () => {
    const rl = limiter('shared');
    for (let i = 0; i < 10; i++) await rl.check([ip(1, 'flooder'), site(3)]);
    // The flooder counted once in the site bucket (its first, allowed request): two are left.
    expect((await rl.check([ip(1, 'reader-a'), site(3)])).allowed).toBe(true);
    expect((await rl.check([ip(1, 'reader-b'), site(3)])).allowed).toBe(true);
    const third = await rl.check([ip(1, 'reader-c'), site(3)]);
    expect(third).toMatchObject({ allowed: false, refusedBy: 'site' });
  });

  it('when many checks arrive at once, then each is counted exactly once', async () => {
    const rl = limiter('burst');
    const all = await Promise.all(Array.from({ length: 50 }, (_, i) => rl.check([ip(20, `burst-${i % 2}`)])));
    expect(all.filter((d) => d.allowed)).toHaveLength(40);
  });

  it('when a limit is 0, then that bucket is off and sets no header', async () => {
    const rl = limiter('off');
    const d = await rl.check([ip(0), site(5)]);
    expect(d.allowed).toBe(true);
    expect(d.headers['RateLimit-Policy']).toBe('"site"; q=5; w=60');
  });
});

describe('rate limiter while Redis is unavailable', () => {
  let child: RedisChild | undefined;

  afterEach(async () => {
    await child?.stop();
  });

  it('when Redis restarts (the script is forgotten), then limits keep counting on the new server', async () => {
    child = await startRedisChild();
    const redis = connect(child.url);
    await new Promise((resolve) => redis.once('ready', resolve));
    const rl = createRateLimiter({ redis, keyPrefix: 'rl-test:', logger: silentLogger, breakerMs: 50 });
    try {
      expect((await rl.check([ip(1)])).allowed).toBe(true);
      expect((await rl.check([ip(1)])).allowed).toBe(false);
      await child.stop();
      child = await startRedisChild(child.port);
      await waitFor(() => redis.status === 'ready');
      await new Promise((r) => setTimeout(r, 60)); // past the breaker, if the restart tripped it
      // A fresh server: the counter starts again, through EVAL after NOSCRIPT.
      expect((await rl.check([ip(1)])).allowed).toBe(true);
      expect((await rl.check([ip(1)])).allowed).toBe(false);
    } finally {
      redis.disconnect();
    }
  });

  it('when Redis is down, then requests are let through without headers and one warning is logged per interval', async () => {
    child = await startRedisChild();
    const redis = connect(child.url);
    await new Promise((resolve) => redis.once('ready', resolve));
    await child.stop();
    child = undefined;
    await waitFor(() => redis.status !== 'ready');
    redis.options.retryStrategy = () => null; // stays down: no reconnect attempts outliving the test
    const lines: string[] = [];
    const logger = pino({ level: 'warn' }, new Writable({ write: (chunk: Buffer, _e, cb) => (lines.push(chunk.toString()), cb()) }));
    const rl = createRateLimiter({ redis, keyPrefix: 'rl-test:', logger, breakerMs: 10 });
    try {
      for (let i = 0; i < 5; i++) {
        const d = await rl.check([ip(1)]);
        expect(d).toMatchObject({ allowed: true, headers: {} });
        await new Promise((r) => setTimeout(r, 15));
      }
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(/rate-limit counters unavailable/);
      expect(lines[0]).not.toMatch(/ip-hash-1/);
    } finally {
      redis.disconnect();
    }
  });
});

async function waitFor(ok: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!ok()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
}
