/**
 * A moderator closes a thread through moderation-queue's API; over real Redis and Postgres the
 * `threads.changed` event reaches comment-intake, which stops offering the form and refuses
 * comments; a reopen undoes it.
 */
import request from 'supertest';
import { eventually } from '@parley/shared/testing';
import { startCommentStack, type CommentStack } from './support/comment-stack';

const ORIGIN = 'https://gazette.example.org';

let stack: CommentStack;
let intake: CommentStack['intake'];
let moderation: CommentStack['moderation'];

beforeAll(async () => {
  stack = await startCommentStack('pk_threadClose1_0123456789abcdefghijklmnopqrstuv', (infra) => ({ DATABASE_URL: infra.databaseUrl }));
  ({ intake, moderation } = stack);
});

afterAll(async () => {
  await stack?.stop();
});

const admin = () => stack.bootstrap;
const formToken = (thread: string) => request(intake.url).get(`/v1/sites/gazette/threads/${thread}/form-token`).set('Origin', ORIGIN);
const page = (thread: string) => request(intake.url).get(`/v1/sites/gazette/threads/${thread}/comments`).set('Origin', ORIGIN);
const post = (thread: string) =>
  request(intake.url).post(`/v1/sites/gazette/threads/${thread}/comments`).set('Origin', ORIGIN).send({ name: 'Ada', text: 'On the close.', email: null });

describe('closing a thread end to end', () => {
  it('when a moderator closes a thread, then intake says closed and refuses comments; when reopened, it takes them again', async () => {
    expect((await request(moderation.url).post('/v1/admin/sites').set(admin()).send({ id: 'gazette', name: 'The Gazette', allowedOrigins: [ORIGIN] })).status).toBe(201);
    const key = await request(moderation.url).post('/v1/admin/keys').set(admin()).send({ role: 'moderator', sites: ['gazette'] });
    const moderator = { Authorization: `Bearer ${key.body.secret as string}` };
    await eventually(async () => (await formToken('budget')).status === 200, 10_000);
    expect((await post('budget')).status).toBe(202);
    const open = await page('budget');
    expect(open.body.closed).toBe(false);

    expect((await request(moderation.url).put('/v1/sites/gazette/threads/budget/closed').set(moderator)).status).toBe(200);
    await eventually(async () => (await formToken('budget')).body.closed === true, 10_000);
    const closed = await page('budget');
    expect(closed.body.closed).toBe(true);
    expect(closed.headers.etag).not.toBe(open.headers.etag);
    expect((await post('budget')).status).toBe(409);

    expect((await request(moderation.url).delete('/v1/sites/gazette/threads/budget/closed').set(moderator)).status).toBe(200);
    await eventually(async () => (await formToken('budget')).body.closed === false, 10_000);
    expect((await page('budget')).body.closed).toBe(false);
    expect((await post('budget')).status).toBe(202);
  });
});
