/**
 * An operator erases one person's comments through comment-intake; over real Redis and Postgres
 * `privacy.requests` reaches moderation-queue, which erases its copy: neither service keeps the
 * person's name, email or words. The export before it leads to moderation's records of the person.
 */
import request from 'supertest';
import { eventually } from '@parley/shared/testing';
import { startCommentStack, type CommentStack } from './support/comment-stack';

const ORIGIN = 'https://ledger.example.org';

let stack: CommentStack;
let intake: CommentStack['intake'];
let moderation: CommentStack['moderation'];

beforeAll(async () => {
  stack = await startCommentStack('pk_privacyE2e01_0123456789abcdefghijklmnopqrstuv');
  ({ intake, moderation } = stack);
});

afterAll(async () => {
  await stack?.stop();
});

const page = (thread: string) => request(intake.url).get(`/v1/sites/ledger/threads/${thread}/comments`);
/** As the widget posts: with the thread's form token, so the pipeline has no reason to hold it. */
const post = async (thread: string, body: object) => {
  const token = await request(intake.url).get(`/v1/sites/ledger/threads/${thread}/form-token`).set('Origin', ORIGIN);
  return request(intake.url)
    .post(`/v1/sites/ledger/threads/${thread}/comments`)
    .set('Origin', ORIGIN)
    .send({ ...body, formToken: token.body.token });
};

describe('erasing one person’s comments end to end', () => {
  it('when an operator erases by email, then the comments leave the thread and moderation’s copy keeps nothing of the author', async () => {
    expect((await request(moderation.url).post('/v1/admin/sites').set(stack.bootstrap).send({ id: 'ledger', name: 'The Ledger', allowedOrigins: [ORIGIN], settings: { comments: { minSubmitSeconds: 0 } } })).status).toBe(201);
    const key = await request(moderation.url).post('/v1/admin/keys').set(stack.bootstrap).send({ role: 'admin', sites: ['ledger'] });
    const admin = { Authorization: `Bearer ${key.body.secret as string}` };
    const email = 'ines.forget@example.org';
    await eventually(async () => (await post('rates', { name: 'Someone Else', text: 'Another view.' })).status === 202, 10_000);
    const first = await post('rates', { name: 'Inès Forget', email, text: 'Rates should fall before spring.' });
    const second = await post('rates', { name: 'Inès Forget', email, text: 'And the levy with them.' });
    expect([first.status, second.status]).toEqual([202, 202]);
    const ids = [first.body.id as string, second.body.id as string];
    await eventually(async () => (await page('rates')).body.total === 3, 15_000);

    // The key reaches intake through `api-keys.changed`.
    const ask = (kind: 'export' | 'erase') => request(intake.url).post('/v1/admin/sites/ledger/privacy-requests').set(admin).send({ kind, email });
    const exported = await eventually(async () => {
      const r = await ask('export');
      return r.status === 401 ? undefined : r;
    }, 10_000);
    expect(exported.body.comments).toHaveLength(2);
    // Moderation's records about the person, found by the key the export names.
    const author = () => request(moderation.url).get(`/v1/sites/ledger/authors/${exported.body.authorKey as string}`).set(admin);
    const before = await eventually(async () => {
      const r = await author();
      return r.status === 200 && r.body.comments.length === 2 ? r : undefined;
    }, 15_000);
    expect(before.body.comments.map((c: { id: string }) => c.id).sort()).toEqual([...ids].sort());
    expect(before.body).toMatchObject({ trusted: true, approvedCount: 2 });

    const res = await ask('erase');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ kind: 'erase', erased: 2 });
    const left = await page('rates');
    expect(left.body.total).toBe(1);
    expect(JSON.stringify(left.body)).not.toContain('Forget');

    for (const id of ids) {
      const copy = await eventually(async () => {
        const r = await request(moderation.url).get(`/v1/sites/ledger/comments/${id}`).set(admin);
        return r.body.state === 'deleted' ? r.body : undefined;
      }, 15_000);
      expect(JSON.stringify(copy)).not.toMatch(/Forget|Rates should|levy|example\.org/);
      expect(copy.author).toMatchObject({ emailDomain: null, website: null });
    }
    // Moderation forgot the author too, trust included.
    expect((await author()).status).toBe(404);
  });
});
