import request from 'supertest';
import { Streams, commentsStatusChangedV1, type CommentsStatusChangedV1 } from '@parley/shared';
import { eventually, publishedEnvelopes } from '@parley/shared/testing';
import { ORIGIN, approvedComment, buildComment, buildSite, collectStream, decide, seedSite, startIntake, submit, type IntakeHarness } from './support/intake';

let h: IntakeHarness;
let changes: ReturnType<typeof collectStream<CommentsStatusChangedV1>>;

beforeAll(async () => {
  h = await startIntake();
  await seedSite(h, buildSite('daily', { comments: { editWindowMinutes: 15 } }));
  await seedSite(h, buildSite('nowindow', { comments: { editWindowMinutes: 0 } }));
  changes = collectStream(h, Streams.commentsStatusChanged, commentsStatusChangedV1);
});

afterAll(async () => {
  await changes.stop();
  await h.stop();
});

const view = (id: string, token?: string) => {
  const req = request(h.url).get(`/v1/comments/${id}`);
  return token ? req.set('X-Author-Token', token) : req;
};
const remove = (id: string, token: string, origin = ORIGIN) => request(h.url).delete(`/v1/comments/${id}`).set('Origin', origin).set('X-Author-Token', token);

describe("the author's own comment", () => {
  it('when the author looks with their token, then they see it awaiting moderation and until when they may delete it', async () => {
    const res = await submit(h, 'daily', 't1', buildComment({ text: 'mine' }));
    const own = await view(res.body.id, res.body.authorToken);
    expect(own.status).toBe(200);
    expect(own.body).toMatchObject({ id: res.body.id, site: 'daily', thread: 't1', status: 'awaiting moderation', text: 'mine', html: '<p>mine</p>' });
    expect(Date.parse(own.body.deletableUntil)).toBeGreaterThan(Date.now());
    expect(own.headers['cache-control']).toMatch(/no-store/);
    expect(JSON.stringify(own.body)).not.toMatch(/ada@example/);
  });

  it('when moderation approves or rejects it, then the author sees approved or not published', async () => {
    const ok = await approvedComment(h, 'daily', 't1');
    expect((await view(ok.id, ok.authorToken)).body.status).toBe('approved');
    const bad = await submit(h, 'daily', 't1', buildComment());
    await decide(h, 'daily', bad.body.id, 'pending', 'spam');
    expect((await view(bad.body.id, bad.body.authorToken)).body.status).toBe('not published');
  });

  it('when the token is wrong or missing, then the comment is not found', async () => {
    const res = await submit(h, 'daily', 't1', buildComment());
    expect((await view(res.body.id, 'not-the-token')).status).toBe(404);
    expect((await view(res.body.id)).status).toBe(404);
    expect((await view('not-a-uuid', 'x')).status).toBe(404);
  });

  it('when the author deletes an approved comment in time, then it leaves the thread and moderation is told', async () => {
    const c = await approvedComment(h, 'daily', 'del');
    const res = await remove(c.id, c.authorToken);
    expect(res.status).toBe(204);
    expect((await view(c.id, c.authorToken)).body).toMatchObject({ status: 'deleted', deletableUntil: null });
    const page = await request(h.url).get('/v1/sites/daily/threads/del/comments');
    expect(page.body).toMatchObject({ total: 0, items: [] });
    const event = await eventually(async () => changes.seen.find((e) => e.payload.commentId === c.id && e.payload.to === 'deleted'), 10_000);
    expect(event.payload).toMatchObject({ from: 'approved', to: 'deleted', actor: { kind: 'author', keyId: null } });
  });

  it('when the delete is retried, then it is 204 again and nothing else changes', async () => {
    const c = await approvedComment(h, 'daily', 'del2');
    expect((await remove(c.id, c.authorToken)).status).toBe(204);
    expect((await remove(c.id, c.authorToken)).status).toBe(204);
    const announced = async () =>
      new Set(
        (await publishedEnvelopes(h.infra, Streams.commentsStatusChanged))
          .filter((e) => (e.payload as { commentId: string; to: string }).commentId === c.id && (e.payload as { to: string }).to === 'deleted')
          .map((e) => e.id),
      );
    await eventually(async () => (await announced()).size > 0);
    expect((await announced()).size).toBe(1);
  });

  it('when the edit window has passed, then deleting is 403 and the comment stays', async () => {
    const c = await approvedComment(h, 'nowindow', 't1');
    const res = await remove(c.id, c.authorToken);
    expect(res.status).toBe(403);
    expect((await view(c.id, c.authorToken)).body.status).toBe('approved');
  });

  it('when a delete comes from a foreign origin, then 403 and the comment stays', async () => {
    const c = await approvedComment(h, 'daily', 'del3');
    const res = await remove(c.id, c.authorToken, 'https://evil.example.com');
    expect(res.status).toBe(403);
    expect(res.body.code).toBe('ORIGIN_NOT_ALLOWED');
    expect((await view(c.id, c.authorToken)).body.status).toBe('approved');
  });

  it('when the token is wrong, then deleting is 404', async () => {
    const c = await approvedComment(h, 'daily', 'del4');
    expect((await remove(c.id, 'wrong')).status).toBe(404);
  });
});

describe('preflight of comment-level writes', () => {
  it('when the comment’s site allows the origin, then DELETE with X-Author-Token is allowed', async () => {
    const res = await submit(h, 'daily', 'pre', buildComment());
    const pre = await request(h.url).options(`/v1/comments/${res.body.id}`).set('Origin', ORIGIN).set('Access-Control-Request-Method', 'DELETE');
    expect(pre.status).toBe(204);
    expect(pre.headers['access-control-allow-methods']).toMatch(/DELETE/);
    expect(pre.headers['access-control-allow-headers']).toMatch(/X-Author-Token/);
    const foreign = await request(h.url).options(`/v1/comments/${res.body.id}`).set('Origin', 'https://evil.example.com');
    expect(foreign.status).toBe(403);
  });
});
