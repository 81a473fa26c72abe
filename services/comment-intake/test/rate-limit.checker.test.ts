import Redis from 'ioredis';
import { AppError, silentLogger } from '@parley/shared';
import { createTestRedisPrefix } from '@parley/shared/testing';
import { createPrivacy } from '../src/domain/privacy';
import { submitLimitChecker, type RateLimitDeps } from '../src/routes/rate-limit.middleware';

/** The check the fast submit route calls: one round trip for the ip, site and email buckets. */
let redis: Redis;
let keys: ReturnType<typeof createTestRedisPrefix>;

beforeAll(async () => {
  keys = createTestRedisPrefix();
  redis = new Redis(keys.url, { enableOfflineQueue: false, maxRetriesPerRequest: 0, commandTimeout: 500 });
  await new Promise((resolve) => redis.once('ready', resolve));
});

afterAll(async () => {
  await redis.quit();
  await keys.cleanup();
});

const deps = (perMinute: RateLimitDeps['perMinute']): RateLimitDeps => ({
  privacy: createPrivacy(Buffer.alloc(32, 1), Buffer.alloc(32, 2)),
  redis,
  keyPrefix: keys.prefix,
  perMinute,
  logger: silentLogger,
});

describe('submit limits for the fast route', () => {
  it('when a reader stays within the limits, then the answer carries RateLimit headers for each bucket', async () => {
    const check = submitLimitChecker(deps({ ip: 5, site: 100, email: 3 }));
    const headers = await check({ ip: '198.51.100.7', siteId: 'daily', email: 'ada@example.org' });
    expect(headers?.['RateLimit-Policy']).toBe('"ip"; q=5; w=60, "site"; q=100; w=60, "email"; q=3; w=60');
    expect(headers?.RateLimit).toMatch(/^"ip"; r=4; t=\d+, "site"; r=99; t=\d+, "email"; r=2; t=\d+$/);
  });

  it('when one email goes over its limit from different addresses, then 429 with Retry-After and the RateLimit headers', async () => {
    const check = submitLimitChecker(deps({ ip: 100, site: 100, email: 2 }));
    await check({ ip: '198.51.100.1', siteId: 'weekly', email: 'busy@example.org' });
    await check({ ip: '198.51.100.2', siteId: 'weekly', email: 'BUSY@example.org ' });
    const refused = await check({ ip: '198.51.100.3', siteId: 'weekly', email: 'busy@example.org' }).then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(refused).toBeInstanceOf(AppError);
    const e = refused as AppError;
    expect(e.status).toBe(429);
    expect(Number(e.headers?.['Retry-After'])).toBeGreaterThan(0);
    expect(e.headers?.RateLimit).toMatch(/"email"; r=0/);
    // Another email from the same address is still fine.
    await expect(check({ ip: '198.51.100.3', siteId: 'weekly', email: 'calm@example.org' })).resolves.toBeDefined();
  });

  it('when the keys are stored, then no raw address or email appears in them', async () => {
    const check = submitLimitChecker(deps({ ip: 100, site: 100, email: 100 }));
    await check({ ip: '203.0.113.99', siteId: 'private', email: 'secret-person@example.org' });
    const stored = await redis.keys(`${keys.prefix}*`);
    expect(stored.length).toBeGreaterThan(0);
    expect(stored.join(' ')).not.toMatch(/203\.0\.113\.99|secret-person/);
  });
});
