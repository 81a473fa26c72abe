import request from 'supertest';
import { ORIGIN, buildComment, buildSite, seedSite, startIntake, submit, type IntakeHarness } from './support/intake';

let h: IntakeHarness;

beforeAll(async () => {
  h = await startIntake();
  await seedSite(h, buildSite('daily', { comments: { maxLength: 200, requireEmail: false } }));
  await seedSite(h, buildSite('strict', { comments: { requireEmail: true } }));
});

afterAll(async () => {
  await h.stop();
});

describe('submitting a comment: the answer', () => {
  it('when a valid comment is sent, then it is answered 202 with its id, pending status and an author token', async () => {
    const res = await submit(h, 'daily', 'peace-talks-2025', buildComment());
    expect(res.status).toBe(202);
    expect(res.body).toEqual({ id: expect.stringMatching(/^[0-9a-f-]{36}$/), status: 'pending', authorToken: expect.any(String) });
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.headers['access-control-allow-origin']).toBe(ORIGIN);
  });

  it('when the name is missing, then 422 names body.name', async () => {
    const res = await submit(h, 'daily', 't1', buildComment({ name: undefined }));
    expect(res.status).toBe(422);
    expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(res.body).toMatchObject({ status: 422, code: 'VALIDATION_FAILED' });
    expect(res.body.errors.map((e: { path: string }) => e.path)).toContain('body.name');
  });

  it('when the text is longer than the site allows, then 422 names body.text', async () => {
    const res = await submit(h, 'daily', 't1', buildComment({ text: 'x'.repeat(201) }));
    expect(res.status).toBe(422);
    expect(res.body.errors[0].path).toBe('body.text');
  });

  it('when the text is only whitespace, then 422 names body.text', async () => {
    const res = await submit(h, 'daily', 't1', buildComment({ text: ' \n\t ' }));
    expect(res.status).toBe(422);
    expect(res.body.errors[0].path).toBe('body.text');
  });

  it('when the name carries a control character, then 422 names body.name', async () => {
    const res = await submit(h, 'daily', 't1', buildComment({ name: 'Ada\u0000' }));
    expect(res.status).toBe(422);
    expect(res.body.errors[0].path).toBe('body.name');
  });

  it('when the website is a javascript: URL, then 422 names body.website', async () => {
    const res = await submit(h, 'daily', 't1', buildComment({ website: 'javascript:alert(1)' }));
    expect(res.status).toBe(422);
    expect(res.body.errors[0].path).toBe('body.website');
  });

  it('when an unknown field is sent, then 422 names the body', async () => {
    const res = await submit(h, 'daily', 't1', buildComment({ admin: true }));
    expect(res.status).toBe(422);
  });

  it('when the site requires an email and none is given, then 422 names body.email', async () => {
    const res = await submit(h, 'strict', 't1', buildComment({ email: undefined }));
    expect(res.status).toBe(422);
    expect(res.body.errors[0].path).toBe('body.email');
  });

  it('when the parent is not a comment of this thread, then 422 names body.parentId', async () => {
    const res = await submit(h, 'daily', 't1', buildComment({ parentId: '01943c4e-8a00-7000-8000-0000000000c1' }));
    expect(res.status).toBe(422);
    expect(res.body.errors[0].path).toBe('body.parentId');
  });

  it('when the thread id is not a slug, then 400 names params.thread', async () => {
    const res = await submit(h, 'daily', 'bad%20thread', buildComment());
    expect(res.status).toBe(400);
    expect(res.body.errors[0].path).toBe('params.thread');
  });

  it('when the body is not JSON, then 415', async () => {
    const res = await request(h.url).post('/v1/sites/daily/threads/t1/comments').set('Origin', ORIGIN).type('form').send('name=Ada&text=hi');
    expect(res.status).toBe(415);
    expect(res.body.code).toBe('UNSUPPORTED_MEDIA_TYPE');
  });

  it('when the JSON is malformed, then 400 MALFORMED_JSON', async () => {
    const res = await request(h.url).post('/v1/sites/daily/threads/t1/comments').set('Origin', ORIGIN).type('application/json').send('{"name": ');
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('MALFORMED_JSON');
  });

  it('when the body is larger than the limit, then 413', async () => {
    const res = await submit(h, 'daily', 't1', buildComment({ text: 'x'.repeat(40_000) }));
    expect(res.status).toBe(413);
    expect(res.body.code).toBe('PAYLOAD_TOO_LARGE');
  });

  it('when the site is unknown, then 404 SITE_NOT_FOUND', async () => {
    const res = await submit(h, 'nowhere', 't1', buildComment());
    expect(res.status).toBe(404);
    expect(res.body.code).toBe('SITE_NOT_FOUND');
  });

  it('when the Idempotency-Key is malformed, then 400 names headers.idempotency-key', async () => {
    const res = await submit(h, 'daily', 't1', buildComment(), { 'Idempotency-Key': 'short' });
    expect(res.status).toBe(400);
    expect(res.body.errors[0].path).toBe('headers.idempotency-key');
  });
});
