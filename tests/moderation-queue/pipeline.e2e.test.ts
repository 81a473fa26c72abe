/**
 * Comment lifecycle end to end over real Redis and Postgres: a reader's comment goes through
 * comment-intake, the moderation pipeline decides it, and intake's thread shows it — at once when
 * approved, or after a moderator's approval when held.
 */
import request from 'supertest';
import { eventually } from '@parley/shared/testing';
import { startCommentStack, type CommentStack } from '../e2e/support/comment-stack';

const ORIGIN = 'https://e2e.example.org';

let stack: CommentStack;
let intake: CommentStack['intake'];
let moderation: CommentStack['moderation'];

beforeAll(async () => {
  stack = await startCommentStack('pk_pipelineBoo1_0123456789abcdefghijklmnopqrstuv');
  ({ intake, moderation } = stack);
});

afterAll(async () => {
  await stack?.stop();
});

async function createSite(id: string, mode: 'post' | 'pre'): Promise<string> {
  const site = await request(moderation.url)
    .post('/v1/admin/sites')
    .set(stack.bootstrap)
    .send({ id, name: id, allowedOrigins: [ORIGIN], settings: { comments: { minSubmitSeconds: 0 }, moderation: { mode } } });
  expect(site.status).toBe(201);
  const key = await request(moderation.url).post('/v1/admin/keys').set(stack.bootstrap).send({ role: 'moderator', sites: [id] });
  // Intake learns the site through `sites.changed`.
  await eventually(async () => (await request(intake.url).get(`/v1/sites/${id}/threads/t/form-token`).set('Origin', ORIGIN)).status === 200, 10_000);
  return key.body.secret as string;
}

async function submit(site: string, thread: string, text: string): Promise<string> {
  const token = await request(intake.url).get(`/v1/sites/${site}/threads/${thread}/form-token`).set('Origin', ORIGIN);
  const res = await request(intake.url)
    .post(`/v1/sites/${site}/threads/${thread}/comments`)
    .set('Origin', ORIGIN)
    .send({ name: 'Reader', email: `reader-${Date.now()}@example.org`, text, formToken: token.body.token });
  expect(res.status).toBe(202);
  return res.body.id as string;
}

const threadIds = async (site: string, thread: string) =>
  ((await request(intake.url).get(`/v1/sites/${site}/threads/${thread}/comments`).set('Origin', ORIGIN)).body.items ?? []).map((c: { id: string }) => c.id);

describe('a comment from intake through moderation and back', () => {
  it('when a post-moderated site gets an ordinary comment, then the pipeline approves it and the thread shows it', async () => {
    await createSite('e2e-post', 'post');
    const id = await submit('e2e-post', 'story', 'A careful reply about the evidence in the article.');
    await eventually(async () => (await threadIds('e2e-post', 'story')).includes(id), 15_000);
  });

  it('when a pre-moderated site gets a comment, then it is held, absent from the thread, and shown once a moderator approves it', async () => {
    const key = await createSite('e2e-pre', 'pre');
    const id = await submit('e2e-pre', 'story', 'A reply that waits for a moderator.');
    const mod = { Authorization: `Bearer ${key}` };
    await eventually(async () => (await request(moderation.url).get(`/v1/sites/e2e-pre/comments/${id}`).set(mod)).body.state === 'held', 15_000);
    expect(await threadIds('e2e-pre', 'story')).not.toContain(id);
    const decided = await request(moderation.url).post(`/v1/sites/e2e-pre/comments/${id}/decisions`).set(mod).send({ action: 'approve', expectedState: 'held' });
    expect(decided.status).toBe(200);
    await eventually(async () => (await threadIds('e2e-pre', 'story')).includes(id), 15_000);
  });
});
