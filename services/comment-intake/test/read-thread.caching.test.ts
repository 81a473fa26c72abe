import request from 'supertest';
import { approvedComment, buildSite, decide, seedSite, startIntake, type IntakeHarness } from './support/intake';

let h: IntakeHarness;

beforeAll(async () => {
  h = await startIntake();
  await seedSite(h, buildSite('daily'));
});

afterAll(async () => {
  await h.stop();
});

const read = (thread: string, etag?: string) => {
  const req = request(h.url).get(`/v1/sites/daily/threads/${thread}/comments`);
  return etag ? req.set('If-None-Match', etag) : req;
};

describe('thread pages and HTTP caching', () => {
  it('when a page is served, then it carries an ETag and a CDN-friendly Cache-Control', async () => {
    const res = await read('cached');
    expect(res.headers.etag).toMatch(/^"t\d+-[A-Za-z0-9_-]+"$/);
    expect(res.headers['cache-control']).toMatch(/public/);
    expect(res.headers['cache-control']).toMatch(/s-maxage=\d+/);
    expect(res.headers.vary).toMatch(/Origin/);
  });

  it('when the thread has not changed, then If-None-Match is answered 304 without a body', async () => {
    await approvedComment(h, 'daily', 'unchanged');
    const first = await read('unchanged');
    const again = await read('unchanged', first.headers.etag);
    expect(again.status).toBe(304);
    expect(again.text).toBe('');
    expect(again.headers.etag).toBe(first.headers.etag);
  });

  it('when a comment is approved after a page was read, then the ETag changes and the new page shows it', async () => {
    await approvedComment(h, 'daily', 'changing', { text: 'first' });
    const before = await read('changing');
    const second = await approvedComment(h, 'daily', 'changing', { text: 'second' });
    const after = await read('changing', before.headers.etag);
    expect(after.status).toBe(200);
    expect(after.headers.etag).not.toBe(before.headers.etag);
    expect(after.body.items.map((c: { id: string }) => c.id)).toContain(second.id);
  });

  it('when a comment is removed, then the page drops it and the count goes down', async () => {
    const c = await approvedComment(h, 'daily', 'removal');
    expect((await read('removal')).body.total).toBe(1);
    await decide(h, 'daily', c.id, 'approved', 'removed');
    const after = await read('removal');
    expect(after.body.total).toBe(0);
    expect(after.body.items).toEqual([]);
  });
});
