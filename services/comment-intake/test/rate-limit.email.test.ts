import { buildComment, buildSite, seedSite, startIntake, submit, type IntakeHarness } from './support/intake';

let h: IntakeHarness;

beforeAll(async () => {
  h = await startIntake({ RATE_LIMIT_IP_PER_MINUTE: '100', RATE_LIMIT_EMAIL_PER_MINUTE: '2' });
  await seedSite(h, buildSite('daily'));
});

afterAll(async () => {
  await h.stop();
});

describe('rate limit per email (Redis store)', () => {
  it('when one email sends more than its limit, then 429 RATE_LIMITED with RateLimit and Retry-After headers', async () => {
    const body = buildComment({ email: 'busy@example.org' });
    const first = await submit(h, 'daily', 't1', body);
    expect(first.status).toBe(202);
    expect(first.headers['ratelimit']).toMatch(/r=\d+/);
    expect(first.headers['ratelimit-policy']).toBeDefined();
    expect((await submit(h, 'daily', 't1', body)).status).toBe(202);
    // Same address in other letters: the same bucket.
    const third = await submit(h, 'daily', 't1', { ...body, email: 'BUSY@example.org' });
    expect(third.status).toBe(429);
    expect(third.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(third.body.code).toBe('RATE_LIMITED');
    expect(Number(third.headers['retry-after'])).toBeGreaterThan(0);
  });

  it('when another email writes meanwhile, then it has its own bucket', async () => {
    expect((await submit(h, 'daily', 't1', buildComment({ email: 'calm@example.org' }))).status).toBe(202);
  });
});
