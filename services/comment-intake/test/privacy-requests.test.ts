import { sql } from 'kysely';
import request from 'supertest';
import { Streams, privacyRequestsV1, type PrivacyRequestsV1 } from '@parley/shared';
import { eventually } from '@parley/shared/testing';
import { ORIGIN, announceKey, approvedComment, buildComment, buildSite, collectStream, seedSite, startIntake, submit, type IntakeHarness } from './support/intake';

let h: IntakeHarness;
let admin: string;
let requests: ReturnType<typeof collectStream<PrivacyRequestsV1>>;

beforeAll(async () => {
  h = await startIntake();
  await seedSite(h, buildSite('daily'));
  await seedSite(h, buildSite('weekly'));
  admin = (await announceKey(h, 'admin', ['daily'])).secret;
  requests = collectStream(h, Streams.privacyRequests, privacyRequestsV1);
});

afterAll(async () => {
  await requests.stop();
  await h.stop();
});

const ask = (body: unknown, key = admin, site = 'daily') =>
  request(h.url).post(`/v1/admin/sites/${site}/privacy-requests`).set('Authorization', `Bearer ${key}`).send(body as object);
const page = async (site: string, thread: string) => (await request(h.url).get(`/v1/sites/${site}/threads/${thread}/comments`)).body as { total: number; items: { id: string }[] };
const row = async (id: string) =>
  (await sql<Record<string, unknown>>`select * from intake.comments where id = ${id}`.execute(h.infra.db.db)).rows[0]!;

describe('an operator asks for one person’s data', () => {
  it('when they ask for an export by email, then they get that person’s comments on the site, email included, and nobody else’s', async () => {
    const email = 'grace@example.org';
    const a = await approvedComment(h, 'daily', 'export', { email, name: 'Grace Hopper', text: 'First, on the budget.', website: 'https://grace.example.org' });
    const b = await submit(h, 'daily', 'export', buildComment({ email: 'GRACE@example.org', name: 'Grace', text: 'Second, pending.' }));
    await submit(h, 'daily', 'export', buildComment({ email: 'someone@example.org' }));
    await submit(h, 'weekly', 'export', buildComment({ email }));

    const res = await ask({ kind: 'export', email });
    expect(res.status).toBe(200);
    expect(res.headers['cache-control']).toMatch(/no-store/);
    expect(res.body).toMatchObject({ kind: 'export', truncated: false, authorKey: expect.stringMatching(/^[0-9a-f]{64}$/) });
    expect(res.body.comments.map((c: { id: string }) => c.id)).toEqual([a.id, b.body.id]);
    expect(res.body.comments[0]).toMatchObject({ thread: 'export', status: 'approved', name: 'Grace Hopper', email, website: 'https://grace.example.org', text: 'First, on the budget.' });
    expect(res.body.comments[0].ipPrefix).toMatch(/\/(24|48)$/);
    expect(res.body.comments[1]).toMatchObject({ status: 'pending', email: 'GRACE@example.org' });
  });

  it('when they ask for erasure by email, then the comments leave their threads, keep nothing of the author, and moderation is told which', async () => {
    const email = 'erase.me@example.org';
    const shown = await approvedComment(h, 'daily', 'erase', { email, name: 'Erin', text: 'Please forget me.' });
    const held = await submit(h, 'daily', 'erase', buildComment({ email, text: 'Still pending.' }));
    const other = await approvedComment(h, 'daily', 'erase', { email: 'stays@example.org' });
    const elsewhere = await approvedComment(h, 'weekly', 'erase', { email });
    expect((await page('daily', 'erase')).total).toBe(2);

    const res = await ask({ kind: 'erase', email });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ kind: 'erase', erased: 2 });

    const after = await page('daily', 'erase');
    expect(after.items.map((c) => c.id)).toEqual([other.id]);
    expect(after.total).toBe(1);
    for (const id of [shown.id, held.body.id]) {
      expect(await row(id)).toMatchObject({ status: 'deleted', author_name: '', author_website: null, email_encrypted: null, email_hash: null, email_domain: null, ip_hash: '', ip_prefix: '', fingerprint: '', text: '' });
      expect((await row(id)).erased_at).toBeInstanceOf(Date);
    }
    // Another site's comment with the same email is that site's operator's business.
    expect(await row(elsewhere.id)).toMatchObject({ status: 'approved', text: buildComment().text });

    const event = await eventually(async () => requests.seen.find((e) => e.payload.requestId === res.body.requestId), 10_000);
    expect(event.site).toBe('daily');
    expect(event.payload).toMatchObject({ kind: 'erase', requestedBy: { kind: 'operator' }, subject: { authorTokenHash: null, consentId: null } });
    expect(event.payload.subject.emailHash).toMatch(/^[0-9a-f]{64}$/);
    expect([...event.payload.commentIds].sort()).toEqual([shown.id, held.body.id].sort());
    expect(JSON.stringify(event)).not.toContain(email);

    // Asked again: nothing left to erase, nothing announced, and the export finds nothing.
    expect((await ask({ kind: 'erase', email })).body).toMatchObject({ erased: 0 });
    expect((await ask({ kind: 'export', email })).body).toMatchObject({ comments: [] });
  });

  it('when the key is missing, not an admin key, or of another site, then nothing is exported or erased', async () => {
    const c = await approvedComment(h, 'daily', 'auth', { email: 'kept@example.org' });
    const moderator = (await announceKey(h, 'moderator', ['daily'])).secret;
    const weeklyAdmin = (await announceKey(h, 'admin', ['weekly'])).secret;
    const body = { kind: 'erase', email: 'kept@example.org' };
    expect((await request(h.url).post('/v1/admin/sites/daily/privacy-requests').send(body)).status).toBe(401);
    expect((await ask(body, moderator)).status).toBe(403);
    expect((await ask(body, weeklyAdmin)).status).toBe(403);
    expect((await ask(body, admin, 'nowhere')).status).toBe(404);
    expect(await row(c.id)).toMatchObject({ status: 'approved', author_name: 'Ada Lovelace' });
  });

  it('when the request is malformed, then it is a 4xx problem naming the field', async () => {
    const bad = await ask({ kind: 'erase', email: 'not an email' });
    expect(bad.status).toBe(422);
    expect(bad.body.code).toBe('VALIDATION_FAILED');
    expect(JSON.stringify(bad.body)).toContain('body.email');
    expect((await ask({ kind: 'forget', email: 'a@example.org' })).status).toBe(422);
    expect((await ask({ kind: 'erase', email: 'a@example.org', extra: 1 })).status).toBe(422);
    const text = await request(h.url).post('/v1/admin/sites/daily/privacy-requests').set('Authorization', `Bearer ${admin}`).set('Content-Type', 'text/plain').send('erase');
    expect(text.status).toBe(415);
  });
});

describe('a reader erases a comment of theirs', () => {
  const erase = (id: string, token: string, origin = ORIGIN) => request(h.url).post(`/v1/comments/${id}/erase`).set('Origin', origin).set('X-Author-Token', token);

  it('when they erase it with its author token, then it leaves the thread at once, long after the edit window, and moderation is told', async () => {
    const c = await approvedComment(h, 'daily', 'reader', { text: 'Mine to take back.' });
    const reported = await request(h.url).post(`/v1/comments/${c.id}/reports`).set('Origin', ORIGIN).send({ reason: 'off-topic', note: 'it says "Mine to take back."' });
    expect(reported.status).toBe(202);
    const res = await erase(c.id, c.authorToken);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ kind: 'erase', erased: 1 });
    expect((await page('daily', 'reader')).items).toEqual([]);
    const own = await request(h.url).get(`/v1/comments/${c.id}`).set('X-Author-Token', c.authorToken);
    expect(own.body).toMatchObject({ status: 'deleted', text: '' });
    const event = await eventually(async () => requests.seen.find((e) => e.payload.requestId === res.body.requestId), 10_000);
    expect(event.payload).toMatchObject({ kind: 'erase', commentIds: [c.id], requestedBy: { kind: 'author', keyId: null }, subject: { emailHash: null } });
    expect((await erase(c.id, c.authorToken)).body).toMatchObject({ erased: 0 });
    // A reader's note on a report may quote the comment: it goes, the reason stays.
    const { rows } = await sql<{ reason: string; note: string | null }>`select reason, note from intake.reports where comment_id = ${c.id}`.execute(h.infra.db.db);
    expect(rows).toEqual([{ reason: 'off-topic', note: null }]);
  });

  it('when they export it with its author token, then they get it as they wrote it, and nothing once erased', async () => {
    const c = await approvedComment(h, 'daily', 'reader-export', { name: 'Rita', email: 'rita@example.org', website: 'https://rita.example.org', text: 'My words.' });
    const exported = () => request(h.url).get(`/v1/comments/${c.id}/export`).set('X-Author-Token', c.authorToken);
    const res = await exported();
    expect(res.status).toBe(200);
    expect(res.headers['cache-control']).toMatch(/no-store/);
    expect(res.body).toMatchObject({ kind: 'export', truncated: false, authorKey: null });
    expect(res.body.comments).toEqual([
      expect.objectContaining({ id: c.id, thread: 'reader-export', status: 'approved', name: 'Rita', email: 'rita@example.org', website: 'https://rita.example.org', text: 'My words.' }),
    ]);
    expect((await request(h.url).get(`/v1/comments/${c.id}/export`).set('X-Author-Token', 'not-the-token')).status).toBe(404);
    await erase(c.id, c.authorToken);
    expect((await exported()).body.comments).toEqual([]);
  });

  it('when the token is wrong or the origin foreign, then the comment stays', async () => {
    const c = await approvedComment(h, 'daily', 'reader2');
    expect((await erase(c.id, 'not-the-token')).status).toBe(404);
    expect((await erase(c.id, c.authorToken, 'https://evil.example.net')).status).toBe(403);
    expect((await request(h.url).post('/v1/comments/not-a-uuid/erase').set('Origin', ORIGIN).set('X-Author-Token', 'x')).status).toBe(404);
    expect(await row(c.id)).toMatchObject({ status: 'approved', erased_at: null });
  });
});
