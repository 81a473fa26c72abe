import { sql } from 'kysely';
import { Streams } from '@parley/shared';
import { eventually, publishedEnvelopes } from '@parley/shared/testing';
import { buildComment, buildSite, seedSite, startIntake, submit, type IntakeHarness } from './support/intake';

let h: IntakeHarness;

beforeAll(async () => {
  h = await startIntake();
  await seedSite(h, buildSite('daily'));
});

afterAll(async () => {
  await h.stop();
});

const commentsIn = async (thread: string) =>
  Number((await sql<{ n: string }>`select count(*) as n from intake.comments where thread_id = ${thread}`.execute(h.infra.db.db)).rows[0]!.n);

describe('submissions written together (group commit)', () => {
  it('when many comments arrive at once, then each is accepted once with its own row and its own event', async () => {
    const answers = await Promise.all(Array.from({ length: 60 }, (_, i) => submit(h, 'daily', `burst-${i % 3}`, buildComment({ text: `burst ${i}` }))));
    expect(answers.map((a) => a.status)).toEqual(Array(60).fill(202));
    expect(new Set(answers.map((a) => a.body.id)).size).toBe(60);
    const stored = await sql<{ n: string }>`select count(*) as n from intake.comments where thread_id like 'burst-%'`.execute(h.infra.db.db);
    expect(Number(stored.rows[0]!.n)).toBe(60);
    const announced = async () =>
      (await publishedEnvelopes(h.infra, Streams.commentsSubmitted))
        .map((e) => e.payload as { commentId: string; threadId: string })
        .filter((p) => p.threadId.startsWith('burst-'))
        .map((p) => p.commentId);
    await eventually(async () => (await announced()).length >= 60);
    expect((await announced()).sort()).toEqual(answers.map((a) => a.body.id as string).sort());
    const threads = await sql<{ n: string }>`select count(*) as n from intake.threads where id like 'burst-%'`.execute(h.infra.db.db);
    expect(Number(threads.rows[0]!.n)).toBe(3);
  });

  it('when refused and valid submissions arrive together, then the refusals do not fail the others', async () => {
    const first = await submit(h, 'daily', 'mixed', buildComment({ text: 'original' }), { 'Idempotency-Key': 'mixed-key-0001' });
    const answers = await Promise.all([
      submit(h, 'daily', 'mixed', buildComment({ text: 'changed' }), { 'Idempotency-Key': 'mixed-key-0001' }),
      submit(h, 'daily', 'mixed', buildComment({ parentId: '01943c4e-8a00-7000-8000-0000000000c1' })),
      ...Array.from({ length: 10 }, (_, i) => submit(h, 'daily', 'mixed', buildComment({ text: `fine ${i}` }))),
    ]);
    expect(first.status).toBe(202);
    expect(answers.map((a) => a.status)).toEqual([422, 422, ...Array(10).fill(202)]);
    expect(await commentsIn('mixed')).toBe(11);
  });
});
