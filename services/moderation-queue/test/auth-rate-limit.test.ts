import request from 'supertest';
import { eventually } from '@parley/shared/testing';
import { BOOTSTRAP_KEY } from './support/admin-client';
import { startModeration, type ModerationHarness } from './support/moderation-harness';

let h: ModerationHarness;

beforeAll(async () => {
  h = await startModeration({ AUTH_FAILURES_PER_MINUTE: '3' });
});

afterAll(async () => {
  await h.close();
});

describe('failed authentication', () => {
  it('when a client keeps sending wrong keys, then after the limit it gets 429 with Retry-After, even with a right key', async () => {
    const wrong = () => request(h.svc.url).get('/v1/sites/any/queue').set('Authorization', 'Bearer pk_000000000000_00000000000000000000000000000000');
    for (let i = 0; i < 3; i++) expect((await wrong()).status).toBe(401);
    const limited = await wrong();
    expect(limited.status).toBe(429);
    expect(limited.body.code).toBe('RATE_LIMITED');
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    expect((await request(h.svc.url).get('/v1/whoami').set('Authorization', `Bearer ${BOOTSTRAP_KEY}`)).status).toBe(429);
  });
});

describe('failed authentication over two instances', () => {
  it('when wrong keys are spread over both instances, then their failures add up to one limit', async () => {
    const env = { AUTH_FAILURES_PER_MINUTE: '3', TRUST_PROXY: 'loopback', REDIS_URL: h.infra.redisUrl, REDIS_KEY_PREFIX: h.infra.redisPrefix };
    const [first, other] = [await h.startInstance(env), await h.startInstance(env)];
    // An address of its own (named by the trusted proxy hop), so the case above does not count.
    const wrong = (url: string) =>
      request(url).get('/v1/sites/any/queue').set('X-Forwarded-For', '192.0.2.44').set('Authorization', 'Bearer pk_000000000000_00000000000000000000000000000000');
    expect((await wrong(first.url)).status).toBe(401);
    expect((await wrong(other.url)).status).toBe(401);
    expect((await wrong(first.url)).status).toBe(401);
    // Three failures in all, none of the instances saw three itself: the shared count blocks both.
    await eventually(async () => (await wrong(other.url)).status === 429);
    expect((await wrong(first.url)).status).toBe(429);
  });
});
