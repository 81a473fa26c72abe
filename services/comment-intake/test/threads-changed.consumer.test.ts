import { sql } from 'kysely';
import request from 'supertest';
import { Streams, makeEnvelope } from '@parley/shared';
import { eventually } from '@parley/shared/testing';
import { openEventStream } from './support/sse-client';
import { approvedComment, buildComment, buildSite, formToken, publishThreadChange, seedSite, startIntake, submit, type IntakeHarness } from './support/intake';

let h: IntakeHarness;

beforeAll(async () => {
  h = await startIntake();
  await seedSite(h, buildSite('daily'));
  await seedSite(h, buildSite('aging', { comments: { closeAfterDays: 7 } }));
});

afterAll(async () => {
  await h.stop();
});

const page = (site: string, thread: string, etag?: string) => {
  const req = request(h.url).get(`/v1/sites/${site}/threads/${thread}/comments`);
  return etag ? req.set('If-None-Match', etag) : req;
};

describe('a moderator closing and reopening a thread (threads.changed)', () => {
  it('when a thread with comments is closed, then the form token and the page say closed, the page has a new ETag and a submit gets 409; reopened, all open again', async () => {
    await approvedComment(h, 'daily', 'debate');
    const before = await page('daily', 'debate');
    expect(before.body).toMatchObject({ closed: false, total: 1 });
    expect((await formToken(h, 'daily', 'debate')).closed).toBe(false);

    await publishThreadChange(h, 'daily', 'debate', new Date().toISOString());
    await eventually(async () => (await formToken(h, 'daily', 'debate')).closed, 10_000);
    const closed = await page('daily', 'debate', before.headers.etag);
    expect(closed.status).toBe(200); // not 304: the cached page is stale
    expect(closed.headers.etag).not.toBe(before.headers.etag);
    expect(closed.body).toMatchObject({ closed: true, total: 1 });
    const refused = await submit(h, 'daily', 'debate', buildComment());
    expect(refused.status).toBe(409);
    expect(refused.headers['content-type']).toMatch(/application\/problem\+json/);

    await publishThreadChange(h, 'daily', 'debate', null);
    await eventually(async () => !(await formToken(h, 'daily', 'debate')).closed, 10_000);
    const reopened = await page('daily', 'debate', closed.headers.etag);
    expect(reopened.status).toBe(200);
    expect(reopened.body.closed).toBe(false);
    expect((await submit(h, 'daily', 'debate', buildComment())).status).toBe(202);
  });

  it('when a thread is closed and reopened, then its open pages are told at once (a closed event each time)', async () => {
    const stream = await openEventStream(`${h.url}/v1/sites/daily/threads/watched/events`);
    try {
      await publishThreadChange(h, 'daily', 'watched', new Date().toISOString());
      const closed = await eventually(async () => stream.events.find((e) => e.event === 'closed'), 10_000);
      expect(JSON.parse(closed.data)).toEqual({ closed: true });
      await publishThreadChange(h, 'daily', 'watched', null);
      await eventually(async () => stream.events.filter((e) => e.event === 'closed').length === 2, 10_000);
      expect(JSON.parse(stream.events.filter((e) => e.event === 'closed')[1]!.data)).toEqual({ closed: false });
    } finally {
      stream.close();
    }
  });

  it('when a thread intake has never seen is closed, then it is closed from its first page view', async () => {
    const unseen = await page('daily', 'not-yet');
    expect(unseen.body).toMatchObject({ closed: false, total: 0 });
    await publishThreadChange(h, 'daily', 'not-yet', new Date().toISOString());
    await eventually(async () => (await formToken(h, 'daily', 'not-yet')).closed, 10_000);
    const closed = await page('daily', 'not-yet');
    expect(closed.body).toMatchObject({ closed: true, total: 0, items: [] });
    expect(closed.headers.etag).not.toBe(unseen.headers.etag);
    expect((await submit(h, 'daily', 'not-yet', buildComment())).status).toBe(409);
  });

  it('when an older close is delivered after a newer reopen, then the thread stays open', async () => {
    const t0 = Date.now() - 60_000;
    const closedAt = new Date(t0).toISOString();
    await publishThreadChange(h, 'daily', 'late', closedAt, new Date(t0));
    await eventually(async () => (await formToken(h, 'daily', 'late')).closed, 10_000);
    await publishThreadChange(h, 'daily', 'late', null, new Date(t0 + 1_000));
    await eventually(async () => !(await formToken(h, 'daily', 'late')).closed, 10_000);
    // The close again, as a redelivery after a crash would bring it, under a new message id.
    await publishThreadChange(h, 'daily', 'late', closedAt, new Date(t0 + 500));
    await publishThreadChange(h, 'daily', 'marker', new Date().toISOString()); // same stream: applied after the stale one
    await eventually(async () => (await formToken(h, 'daily', 'marker')).closed, 10_000);
    expect((await formToken(h, 'daily', 'late')).closed).toBe(false);
    expect((await page('daily', 'late')).body.closed).toBe(false);
    expect((await submit(h, 'daily', 'late', buildComment())).status).toBe(202);
  });

  it('when the same close is delivered twice, then it applies once (the page keeps its ETag)', async () => {
    const envelope = await publishThreadChange(h, 'daily', 'twice', new Date().toISOString());
    await eventually(async () => (await formToken(h, 'daily', 'twice')).closed, 10_000);
    const first = await page('daily', 'twice');
    await h.infra.transport.publish(Streams.threadsChanged, envelope);
    await publishThreadChange(h, 'daily', 'twice-marker', new Date().toISOString());
    await eventually(async () => (await formToken(h, 'daily', 'twice-marker')).closed, 10_000);
    expect((await page('daily', 'twice', first.headers.etag)).status).toBe(304);
  });

  it('when a message fails the schema, then it is dead-lettered and later changes still apply', async () => {
    await h.infra.transport.publish(Streams.threadsChanged, makeEnvelope(Streams.threadsChanged, 1, 'daily', { threadId: '', closedAt: 'yesterday' }));
    const dead = await eventually(async () => {
      const all = await h.infra.transport.readDeadLetters(Streams.threadsChanged);
      return all.length > 0 ? all : undefined;
    }, 10_000);
    expect(dead[0]!.reason).toBe('schema');
    await publishThreadChange(h, 'daily', 'after-poison', new Date().toISOString());
    await eventually(async () => (await formToken(h, 'daily', 'after-poison')).closed, 10_000);
  });
});

describe('closing by age (the site’s close-after-days)', () => {
  it('when a thread is older than close-after-days, then the form token and the page say closed and a submit gets 409', async () => {
    await approvedComment(h, 'aging', 'old-news');
    const fresh = await page('aging', 'old-news');
    expect(fresh.body.closed).toBe(false);
    await sql`update intake.threads set created_at = now() - interval '8 days' where site_id = 'aging' and id = 'old-news'`.execute(h.infra.db.db);
    // No event tells of age: the change shows once the thread's memoised state is read again (≈ 1 s).
    const old = await eventually(async () => {
      const res = await page('aging', 'old-news', fresh.headers.etag);
      return res.status === 200 && res.body.closed === true ? res : undefined;
    }, 10_000);
    expect(old.headers.etag).not.toBe(fresh.headers.etag);
    expect((await formToken(h, 'aging', 'old-news')).closed).toBe(true);
    expect((await submit(h, 'aging', 'old-news', buildComment())).status).toBe(409);
  });
});
