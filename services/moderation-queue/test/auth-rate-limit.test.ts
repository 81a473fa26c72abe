import request from 'supertest';
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
