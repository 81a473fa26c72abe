import { buildComment, buildSite, seedSite, startIntake, submit, type IntakeHarness } from './support/intake';

let h: IntakeHarness;

beforeAll(async () => {
  // trust proxy stays off (the default): X-Forwarded-For is the client's word, not a proxy's.
  h = await startIntake({ RATE_LIMIT_IP_PER_MINUTE: '3', RATE_LIMIT_EMAIL_PER_MINUTE: '100' });
  await seedSite(h, buildSite('daily'));
});

afterAll(async () => {
  await h.stop();
});

describe('rate limit per client address (Redis store)', () => {
  it('when one client exceeds its limit, then a forged X-Forwarded-For does not give it a fresh bucket', async () => {
    const answers: number[] = [];
    for (let i = 0; i < 5; i++) {
      const res = await submit(h, 'daily', 't1', buildComment({ email: `reader${i}@example.org` }), { 'X-Forwarded-For': `198.51.100.${i}` });
      answers.push(res.status);
    }
    expect(answers).toEqual([202, 202, 202, 429, 429]);
  });
});
