import request from 'supertest';
import { ORIGIN, announceSite, buildComment, buildSite, startIntake, submit, type IntakeHarness } from './support/intake';

let h: IntakeHarness;

beforeAll(async () => {
  h = await startIntake();
});

afterAll(async () => {
  await h.stop();
});

describe('sites reach intake through sites.changed', () => {
  it('when moderation announces a site, then intake accepts comments for it from its allowed origin', async () => {
    await announceSite(h, buildSite('announced'));
    const res = await submit(h, 'announced', 't1', buildComment());
    expect(res.status).toBe(202);
  });

  it('when a newer version changes the allowed origins, then the old origin is refused', async () => {
    await announceSite(h, buildSite('moving', { version: 1 }));
    await announceSite(h, buildSite('moving', { version: 2, allowedOrigins: ['https://new.example.org'] }));
    const old = await submit(h, 'moving', 't1', buildComment());
    expect(old.status).toBe(403);
    const moved = await request(h.url).post('/v1/sites/moving/threads/t1/comments').set('Origin', 'https://new.example.org').send(buildComment());
    expect(moved.status).toBe(202);
    expect(ORIGIN).not.toBe('https://new.example.org');
  });

  it('when a site is closed, then new comments are refused with 409 and nothing is stored', async () => {
    await announceSite(h, buildSite('closing', { version: 1 }));
    await announceSite(h, buildSite('closing', { version: 2, status: 'closed' }));
    const res = await submit(h, 'closing', 't1', buildComment());
    expect(res.status).toBe(409);
  });
});
