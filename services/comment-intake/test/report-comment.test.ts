import request from 'supertest';
import { Streams, commentsReportedV1, type CommentsReportedV1 } from '@parley/shared';
import { eventually } from '@parley/shared/testing';
import { ORIGIN, approvedComment, buildComment, buildSite, collectStream, seedSite, startIntake, submit, type IntakeHarness } from './support/intake';

let h: IntakeHarness;
let reported: ReturnType<typeof collectStream<CommentsReportedV1>>;

beforeAll(async () => {
  h = await startIntake();
  await seedSite(h, buildSite('daily'));
  reported = collectStream(h, Streams.commentsReported, commentsReportedV1);
});

afterAll(async () => {
  await reported.stop();
  await h.stop();
});

const report = (id: string, body: object, ua = 'reader-a', origin = ORIGIN) =>
  request(h.url).post(`/v1/comments/${id}/reports`).set('Origin', origin).set('User-Agent', ua).send(body);

describe('reader reports', () => {
  it('when a reader reports an approved comment, then 202 and comments.reported carries the reason and a fingerprint', async () => {
    const c = await approvedComment(h, 'daily', 't1');
    const res = await report(c.id, { reason: 'abuse', note: 'insults other readers' });
    expect(res.status).toBe(202);
    expect(res.body.reportId).toEqual(expect.any(String));
    const event = await eventually(async () => reported.seen.find((e) => e.payload.reportId === res.body.reportId), 10_000);
    expect(event.payload).toMatchObject({ commentId: c.id, threadId: 't1', reason: 'abuse', note: 'insults other readers' });
    expect(event.payload.reporterFingerprint).toMatch(/^[0-9a-f]{64}$/);
  });

  it('when the same reader reports the same comment again, then 409 and no second event', async () => {
    const c = await approvedComment(h, 'daily', 't2');
    expect((await report(c.id, { reason: 'spam' })).status).toBe(202);
    const again = await report(c.id, { reason: 'other' });
    expect(again.status).toBe(409);
    expect((await report(c.id, { reason: 'spam' }, 'reader-b')).status).toBe(202);
    await eventually(async () => reported.seen.filter((e) => e.payload.commentId === c.id).length === 2, 10_000);
  });

  it('when the comment is not public, then 404', async () => {
    const pending = await submit(h, 'daily', 't3', buildComment());
    expect((await report(pending.body.id, { reason: 'spam' })).status).toBe(404);
  });

  it('when the reason is unknown, then 422 names body.reason', async () => {
    const c = await approvedComment(h, 'daily', 't4');
    const res = await report(c.id, { reason: 'boring' });
    expect(res.status).toBe(422);
    expect(res.body.errors[0].path).toBe('body.reason');
  });

  it('when the report comes from a foreign origin, then 403', async () => {
    const c = await approvedComment(h, 'daily', 't5');
    expect((await report(c.id, { reason: 'spam' }, 'reader-a', 'https://evil.example.com')).status).toBe(403);
  });
});
