import { sql } from 'kysely';
import request from 'supertest';
import { ORIGIN, buildComment, buildSite, seedSite, startIntake, type IntakeHarness } from './support/intake';

let h: IntakeHarness;

beforeAll(async () => {
  h = await startIntake();
  await seedSite(h, buildSite('daily'));
});

afterAll(async () => {
  await h.stop();
});

const count = async () => Number((await sql<{ n: string }>`select count(*) as n from intake.comments`.execute(h.infra.db.db)).rows[0]!.n);
const post = () => request(h.url).post('/v1/sites/daily/threads/t1/comments');

describe('submitting a comment: the Origin check', () => {
  it.each([
    ['a foreign origin', 'https://evil.example.com'],
    ['the null origin', 'null'],
    ['a look-alike origin', 'https://daily.example.org.evil.example'],
  ])('when the page has %s, then 403 ORIGIN_NOT_ALLOWED and nothing is stored', async (_what, origin) => {
    const res = await post().set('Origin', origin).send(buildComment());
    expect(res.status).toBe(403);
    expect(res.body.code).toBe('ORIGIN_NOT_ALLOWED');
    expect(res.headers['access-control-allow-origin']).toBeUndefined();
    expect(await count()).toBe(0);
  });

  it('when there is no Origin header, then 403 and nothing is stored', async () => {
    const res = await post().send(buildComment());
    expect(res.status).toBe(403);
    expect(await count()).toBe(0);
  });

  it('when a foreign origin sends a non-JSON body, then the Origin is refused first', async () => {
    const res = await post().set('Origin', 'https://evil.example.com').type('text/plain').send('hello');
    expect(res.status).toBe(403);
  });

  it('when an allowed origin asks for a preflight, then the write methods and headers are allowed', async () => {
    const res = await request(h.url)
      .options('/v1/sites/daily/threads/t1/comments')
      .set('Origin', ORIGIN)
      .set('Access-Control-Request-Method', 'POST');
    expect(res.status).toBe(204);
    expect(res.headers['access-control-allow-origin']).toBe(ORIGIN);
    expect(res.headers['access-control-allow-headers']).toMatch(/Idempotency-Key/);
  });

  it('when every response goes out, then helmet security headers are on it', async () => {
    const res = await post().set('Origin', ORIGIN).send(buildComment());
    expect(res.status).toBe(202);
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['content-security-policy']).toBeDefined();
  });
});
