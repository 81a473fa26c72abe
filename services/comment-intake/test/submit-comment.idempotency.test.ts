import { sql } from 'kysely';
import { Streams } from '@parley/shared';
import { eventually, publishedEnvelopes } from '@parley/shared/testing';
import { Client } from 'pg';
import { buildComment, buildSite, seedSite, startIntake, submit, type IntakeHarness } from './support/intake';

let h: IntakeHarness;

beforeAll(async () => {
  h = await startIntake();
  await seedSite(h, buildSite('daily'));
});

afterAll(async () => {
  await h.stop();
});

const rowsFor = async (thread: string) =>
  Number((await sql<{ n: string }>`select count(*) as n from intake.comments where thread_id = ${thread}`.execute(h.infra.db.db)).rows[0]!.n);
/** `comments.submitted` events of the thread, once at least one is out (the relay publishes after the commit). */
const eventsFor = async (thread: string) => {
  const of = async () => (await publishedEnvelopes(h.infra, Streams.commentsSubmitted)).filter((e) => (e.payload as { threadId: string }).threadId === thread);
  await eventually(async () => (await of()).length > 0);
  return (await of()).length;
};

describe('submitting a comment with an Idempotency-Key', () => {
  it('when the same request is retried, then the first answer comes back and only one comment exists', async () => {
    const key = 'retry-key-0001';
    const first = await submit(h, 'daily', 'retry', buildComment(), { 'Idempotency-Key': key });
    const again = await submit(h, 'daily', 'retry', buildComment(), { 'Idempotency-Key': key });
    expect(first.status).toBe(202);
    expect(again.status).toBe(202);
    expect(again.body).toEqual(first.body);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(await rowsFor('retry')).toBe(1);
    expect(await eventsFor('retry')).toBe(1);
  });

  it('when the retry differs only by whitespace the server trims, then it is the same request', async () => {
    const key = 'retry-key-0002';
    const first = await submit(h, 'daily', 'trim', buildComment({ text: 'Same text' }), { 'Idempotency-Key': key });
    const again = await submit(h, 'daily', 'trim', buildComment({ text: '  Same text  ' }), { 'Idempotency-Key': key });
    expect(again.body.id).toBe(first.body.id);
  });

  it('when the thread closes after the first answer, then a retry with the same key still gets that answer', async () => {
    const key = 'closed-after-0001';
    const first = await submit(h, 'daily', 'closing-thread', buildComment(), { 'Idempotency-Key': key });
    expect(first.status).toBe(202);
    await sql`update intake.threads set closed_at = now() where id = 'closing-thread'`.execute(h.infra.db.db);
    const again = await submit(h, 'daily', 'closing-thread', buildComment(), { 'Idempotency-Key': key });
    expect(again.status).toBe(202);
    expect(again.body).toEqual(first.body);
    const other = await submit(h, 'daily', 'closing-thread', buildComment({ text: 'a new one' }), { 'Idempotency-Key': 'closed-after-0002' });
    expect(other.status).toBe(409);
    expect(await rowsFor('closing-thread')).toBe(1);
  });

  it('when the same key comes with a different body, then 422 IDEMPOTENCY_KEY_REUSED and nothing new is stored', async () => {
    const key = 'retry-key-0003';
    await submit(h, 'daily', 'reuse', buildComment({ text: 'first' }), { 'Idempotency-Key': key });
    const res = await submit(h, 'daily', 'reuse', buildComment({ text: 'second' }), { 'Idempotency-Key': key });
    expect(res.status).toBe(422);
    expect(res.body.code).toBe('IDEMPOTENCY_KEY_REUSED');
    expect(await rowsFor('reuse')).toBe(1);
  });

  it('when a request with the same key is still in flight, then 409 IDEMPOTENCY_KEY_IN_FLIGHT', async () => {
    const key = 'retry-key-0004';
    // Stand in for the first request: hold the key's lock from another session.
    const other = new Client({ connectionString: h.infra.databaseUrl });
    await other.connect();
    try {
      await other.query('select pg_advisory_lock(hashtextextended($1, 0))', [`intake.idem:daily:${key}`]);
      const res = await submit(h, 'daily', 'inflight', buildComment(), { 'Idempotency-Key': key });
      expect(res.status).toBe(409);
      expect(res.body.code).toBe('IDEMPOTENCY_KEY_IN_FLIGHT');
      expect(await rowsFor('inflight')).toBe(0);
    } finally {
      await other.end();
    }
    const later = await submit(h, 'daily', 'inflight', buildComment(), { 'Idempotency-Key': key });
    expect(later.status).toBe(202);
  });

  it('when many identical retries race, then exactly one comment is stored and each answer is 202 with its id or 409', async () => {
    const key = 'retry-key-0005';
    const answers = await Promise.all(Array.from({ length: 8 }, () => submit(h, 'daily', 'race', buildComment(), { 'Idempotency-Key': key })));
    const accepted = answers.filter((a) => a.status === 202);
    expect(accepted.length).toBeGreaterThan(0);
    expect(answers.every((a) => a.status === 202 || a.status === 409)).toBe(true);
    expect(new Set(accepted.map((a) => a.body.id)).size).toBe(1);
    expect(await rowsFor('race')).toBe(1);
  });
});
