import request from 'supertest';
import { Streams, commentsSubmittedV1, type CommentsSubmittedV1 } from '@parley/shared';
import { eventually } from '@parley/shared/testing';
import { buildComment, buildSite, collectStream, seedSite, startIntake, submit, type IntakeHarness } from './support/intake';

let h: IntakeHarness;
let submitted: ReturnType<typeof collectStream<CommentsSubmittedV1>>;

beforeAll(async () => {
  h = await startIntake();
  await seedSite(h, buildSite('daily', { comments: { minSubmitSeconds: 3 } }));
  await seedSite(h, buildSite('other'));
  submitted = collectStream(h, Streams.commentsSubmitted, commentsSubmittedV1);
});

afterAll(async () => {
  await submitted.stop();
  await h.stop();
});

const tokenFor = async (site: string, thread: string) => {
  const res = await request(h.url).get(`/v1/sites/${site}/threads/${thread}/form-token`);
  expect(res.status).toBe(200);
  return res.body as { token: string; expiresAt: string; minSubmitSeconds: number };
};

const signalsOf = async (id: string) => (await eventually(async () => submitted.seen.find((e) => e.payload.commentId === id), 10_000)).payload.signals;

describe('form tokens and bot signals', () => {
  it('when a form token is asked for, then it is not cacheable and tells the site minimum', async () => {
    const res = await request(h.url).get('/v1/sites/daily/threads/t1/form-token');
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.body.minSubmitSeconds).toBe(3);
    expect(Date.parse(res.body.expiresAt)).toBeGreaterThan(Date.now());
  });

  it('when a comment comes with its thread token, then it is accepted and the token counts as valid with the elapsed time', async () => {
    const { token } = await tokenFor('daily', 't1');
    const res = await submit(h, 'daily', 't1', buildComment({ formToken: token }));
    expect(res.status).toBe(202);
    const signals = await signalsOf(res.body.id);
    expect(signals.formToken).toBe('valid');
    expect(signals.elapsedMs).toEqual(expect.any(Number));
  });

  it('when a comment is submitted faster than the site minimum, then it is still accepted and the short elapsed time goes to moderation', async () => {
    const { token } = await tokenFor('daily', 'fast');
    const res = await submit(h, 'daily', 'fast', buildComment({ formToken: token }));
    expect(res.status).toBe(202);
    const signals = await signalsOf(res.body.id);
    expect(signals.elapsedMs!).toBeLessThan(3000);
  });

  it('when a token of another thread is used, then the comment is accepted and flagged foreign', async () => {
    const { token } = await tokenFor('other', 't1');
    const res = await submit(h, 'daily', 't1', buildComment({ formToken: token }));
    expect(res.status).toBe(202);
    expect((await signalsOf(res.body.id)).formToken).toBe('foreign');
  });

  it('when a token is forged, then the comment is accepted and flagged invalid', async () => {
    const { token } = await tokenFor('daily', 't1');
    const res = await submit(h, 'daily', 't1', buildComment({ formToken: `${token.split('.')[0]}.AAAA` }));
    expect((await signalsOf(res.body.id)).formToken).toBe('invalid');
  });

  it('when no token is sent and the honeypot is filled, then the comment is accepted and both are flagged', async () => {
    const res = await submit(h, 'daily', 't1', buildComment({ hp: 'http://spam.example' }));
    expect(res.status).toBe(202);
    expect(await signalsOf(res.body.id)).toEqual({ honeypot: true, elapsedMs: null, formToken: 'missing' });
  });
});
