import request from 'supertest';
import { approvedComment, buildSite, seedSite, startIntake, type IntakeHarness } from './support/intake';

let h: IntakeHarness;

beforeAll(async () => {
  h = await startIntake();
  await seedSite(h, buildSite('daily'));
});

afterAll(async () => {
  await h.stop();
});

describe('comment counts for article lists', () => {
  it('when several threads are asked for, then each gets its approved count, 0 for unknown ones', async () => {
    await approvedComment(h, 'daily', 'a');
    await approvedComment(h, 'daily', 'a');
    await approvedComment(h, 'daily', 'b');
    const res = await request(h.url).get('/v1/sites/daily/counts?threads=a,b,c,a');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ counts: { a: 2, b: 1, c: 0 } });
    expect(res.headers['cache-control']).toMatch(/public/);
  });

  it('when no thread is named, then 400 names query.threads', async () => {
    const res = await request(h.url).get('/v1/sites/daily/counts?threads=');
    expect(res.status).toBe(400);
    expect(res.body.errors[0].path).toMatch(/^query\.threads/);
  });

  it('when more than 100 threads are asked for, then 400', async () => {
    const threads = Array.from({ length: 101 }, (_, i) => `t${i}`).join(',');
    const res = await request(h.url).get(`/v1/sites/daily/counts?threads=${threads}`);
    expect(res.status).toBe(400);
  });
});
