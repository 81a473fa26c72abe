import { sql } from 'kysely';
import request from 'supertest';
import { Streams, deadLetterStream, makeEnvelope, type CommentStatus } from '@parley/shared';
import { eventually } from '@parley/shared/testing';
import { ORIGIN, approvedComment, buildComment, buildSite, commentStatus, decide, seedSite, startIntake, submit, type IntakeHarness } from './support/intake';

let h: IntakeHarness;

beforeAll(async () => {
  h = await startIntake();
  await seedSite(h, buildSite('daily'));
});

afterAll(async () => {
  await h.stop();
});

const approvedCount = async (thread: string) =>
  (await sql<{ approved_count: number }>`select approved_count from intake.threads where site_id = 'daily' and id = ${thread}`.execute(h.infra.db.db)).rows[0]?.approved_count;

const change = (commentId: string, thread: string, from: CommentStatus, to: CommentStatus) =>
  makeEnvelope(Streams.commentsStatusChanged, 1, 'daily', {
    commentId,
    threadId: thread,
    from,
    to,
    reasons: [],
    actor: { kind: 'pipeline' as const, keyId: null },
    changedAt: new Date().toISOString(),
  });

describe('consuming comments.status-changed', () => {
  it('when many decisions arrive in one read (a duplicate and a later removal among them), then each applies once, in stream order', async () => {
    const ids: string[] = [];
    for (const name of ['Ana', 'Ben', 'Cy']) ids.push((await submit(h, 'daily', 'burst', buildComment({ name, email: `${name}@example.org` }))).body.id as string);
    const [a, b, c] = ids as [string, string, string];
    const approveB = change(b, 'burst', 'pending', 'approved');
    // One XADD pipeline: the consumer reads them together and applies them as one batch.
    await h.infra.transport.publishMany(Streams.commentsStatusChanged, [
      change(a, 'burst', 'pending', 'approved'),
      approveB,
      change(c, 'burst', 'pending', 'approved'),
      approveB,
      change(a, 'burst', 'approved', 'removed'),
    ]);
    await eventually(async () => (await commentStatus(h, a)) === 'removed', 10_000);
    expect(await commentStatus(h, b)).toBe('approved');
    expect(await commentStatus(h, c)).toBe('approved');
    expect(await approvedCount('burst')).toBe(2);
    const page = await request(h.url).get('/v1/sites/daily/threads/burst/comments').set('Origin', ORIGIN);
    expect((page.body.items as { id: string }[]).map((i) => i.id).sort()).toEqual([b, c].sort());
  });

  it('when the same decision is delivered twice, then it is applied once', async () => {
    const res = await submit(h, 'daily', 'twice', buildComment());
    const envelope = await decide(h, 'daily', res.body.id, 'pending', 'approved');
    await h.infra.transport.publish(Streams.commentsStatusChanged, envelope);
    const marker = await approvedComment(h, 'daily', 'twice'); // processed after the duplicate (one stream, in order)
    expect(await commentStatus(h, marker.id)).toBe('approved');
    expect(await approvedCount('twice')).toBe(2);
  });

  it('when a stale decision arrives (its from is not the current status), then nothing changes', async () => {
    const c = await approvedComment(h, 'daily', 'stale');
    await decide(h, 'daily', c.id, 'approved', 'removed');
    const stale = makeEnvelope(Streams.commentsStatusChanged, 1, 'daily', {
      commentId: c.id,
      threadId: 'stale',
      from: 'pending' as const,
      to: 'approved' as const,
      reasons: [],
      actor: { kind: 'pipeline' as const, keyId: null },
      changedAt: new Date().toISOString(),
    });
    await h.infra.transport.publish(Streams.commentsStatusChanged, stale);
    const marker = await approvedComment(h, 'daily', 'stale');
    expect(await commentStatus(h, marker.id)).toBe('approved');
    expect(await commentStatus(h, c.id)).toBe('removed');
    expect(await approvedCount('stale')).toBe(1);
  });

  it('when a message fails the schema, then it is dead-lettered and later messages still apply', async () => {
    await h.infra.transport.publish(Streams.commentsStatusChanged, makeEnvelope(Streams.commentsStatusChanged, 1, 'daily', { nonsense: true }));
    await eventually(async () => (await h.infra.transport.readDeadLetters(Streams.commentsStatusChanged)).length >= 1, 10_000);
    const after = await approvedComment(h, 'daily', 'poison');
    expect(await commentStatus(h, after.id)).toBe('approved');
  });

  it('when a decision names a comment intake never had, then it is dead-lettered as poison', async () => {
    const before = (await h.infra.transport.readDeadLetters(Streams.commentsStatusChanged)).length;
    await h.infra.transport.publish(
      Streams.commentsStatusChanged,
      makeEnvelope(Streams.commentsStatusChanged, 1, 'daily', {
        commentId: '01943c4e-8a00-7000-8000-0000000000ff',
        threadId: 'ghost',
        from: 'pending' as const,
        to: 'approved' as const,
        reasons: [],
        actor: { kind: 'pipeline' as const, keyId: null },
        changedAt: new Date().toISOString(),
      }),
    );
    const dead = await eventually(async () => {
      const all = await h.infra.transport.readDeadLetters(Streams.commentsStatusChanged);
      return all.length > before ? all : undefined;
    }, 10_000);
    expect(dead.at(-1)!.reason).toBe('poison');
    expect(deadLetterStream(Streams.commentsStatusChanged)).toBe('comments.status-changed.dead');
  });
});
