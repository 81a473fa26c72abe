import { Streams, uuidv7 } from '@parley/shared';
import { eventually } from '@parley/shared/testing';
import { BOOTSTRAP_KEY } from './support/admin-client';
import { buildReported, buildSubmitted, hex, modClient, startModeration, type ModerationHarness } from './support/moderation-harness';

let h: ModerationHarness;

beforeAll(async () => {
  h = await startModeration();
  await h.siteWithModerator('worker-news');
});

afterAll(async () => {
  await h.close();
});

const comments = () => h.db.withSchema('moderation').selectFrom('comments');
const changesOf = (id: string) => h.statusChanges.filter((e) => e.payload.commentId === id);

describe('the moderation worker', () => {
  it('when an ordinary comment is submitted, then it is approved, stored with its reason and announced pending → approved', async () => {
    const e = buildSubmitted('worker-news');
    expect(await h.submit(e)).toBe('approved');
    const row = await comments().selectAll().where('id', '=', e.payload.commentId).executeTakeFirstOrThrow();
    expect(row).toMatchObject({ site: 'worker-news', thread_id: e.payload.threadId, author_key: e.payload.author.emailHash, decided_by: 'pipeline' });
    expect(row.reasons).toEqual([{ code: 'APPROVED', detail: 'no rule held the comment' }]);
    const change = await eventually(async () => changesOf(e.payload.commentId)[0]);
    expect(change.payload).toMatchObject({ from: 'pending', to: 'approved', actor: { kind: 'pipeline', keyId: null } });
  });

  it('when the form signals are bad, then it is spam and every rule that fired is stored', async () => {
    const e = buildSubmitted('worker-news', { signals: { honeypot: true, elapsedMs: 500, formToken: 'missing' } });
    expect(await h.submit(e)).toBe('spam');
    const row = await comments().select(['reasons', 'rules']).where('id', '=', e.payload.commentId).executeTakeFirstOrThrow();
    expect(row.rules).toEqual(expect.arrayContaining(['HONEYPOT', 'TOO_FAST', 'BAD_FORM_TOKEN']));
  });

  it('when the same message is delivered twice, then it has one effect: one row, one history entry, one status change', async () => {
    const e = buildSubmitted('worker-news');
    await h.infra.transport.publish(Streams.commentsSubmitted, e);
    await h.infra.transport.publish(Streams.commentsSubmitted, e);
    // The same comment under a new event id (a producer retry) is absorbed too.
    await h.infra.transport.publish(Streams.commentsSubmitted, { ...e, id: uuidv7() });
    await eventually(async () => {
      const s = await h.infra.transport.stats(Streams.commentsSubmitted, 'moderation-queue');
      return s.pending === 0 && s.lag === 0;
    });
    await eventually(async () => changesOf(e.payload.commentId).length === 1);
    const events = await h.db.withSchema('moderation').selectFrom('comment_events').select('id').where('comment_id', '=', e.payload.commentId).execute();
    expect(events).toHaveLength(1);
    expect(await comments().select('id').where('id', '=', e.payload.commentId).execute()).toHaveLength(1);
    expect(changesOf(e.payload.commentId)).toHaveLength(1);
  });

  it('when a message fails its schema or names an unknown site, then it is dead-lettered and the worker goes on', async () => {
    const broken = buildSubmitted('worker-news');
    await h.infra.transport.publish(Streams.commentsSubmitted, { ...broken, payload: { ...broken.payload, text: '' } });
    const stranger = buildSubmitted('no-such-site');
    await h.infra.transport.publish(Streams.commentsSubmitted, stranger);
    const letters = await eventually(async () => {
      const l = await h.infra.transport.readDeadLetters(Streams.commentsSubmitted, 100);
      return l.length >= 2 && l;
    });
    expect(letters.map((l) => l.reason).sort()).toEqual(['poison', 'schema']);
    expect(letters.find((l) => l.reason === 'poison')?.error).toContain('unknown site no-such-site');
    expect(await h.submit(buildSubmitted('worker-news'))).toBe('approved');
  });

  it('when the author repeats a recent comment, then the repeat is rejected as DUPLICATE', async () => {
    const author = { emailHash: hex('repeater'), fingerprint: hex('repeater-fp') };
    const first = buildSubmitted('worker-news', { text: 'Exactly my point, nothing more.', author });
    expect(await h.submit(first)).toBe('approved');
    const again = buildSubmitted('worker-news', { text: 'exactly my POINT — nothing more', author });
    expect(await h.submit(again)).toBe('rejected');
    const row = await comments().select('reasons').where('id', '=', again.payload.commentId).executeTakeFirstOrThrow();
    expect(row.reasons[0]?.code).toBe('DUPLICATE');
  });

  it('when a site moderates first-time authors, then the first comment is held and, once approved, the next goes through', async () => {
    const key = await h.siteWithModerator('first-timers', { moderation: { mode: 'first-time' } });
    const mod = modClient(h.svc.url, key, 'first-timers');
    const author = { emailHash: hex('newcomer') };
    const first = buildSubmitted('first-timers', { author });
    expect(await h.submit(first)).toBe('held');
    expect((await mod.decide(first.payload.commentId, { action: 'approve', expectedState: 'held' })).status).toBe(200);
    expect(await h.submit(buildSubmitted('first-timers', { author }))).toBe('approved');
  });

  it('when a site pre-moderates, then every comment is held with PRE_MODERATION', async () => {
    await h.siteWithModerator('pre-mod', { moderation: { mode: 'pre' } });
    const e = buildSubmitted('pre-mod');
    expect(await h.submit(e)).toBe('held');
    expect((await comments().select('rules').where('id', '=', e.payload.commentId).executeTakeFirstOrThrow()).rules).toEqual(['PRE_MODERATION']);
  });

  it('when a site is closed, then its comments are rejected', async () => {
    await h.siteWithModerator('closing');
    await h.admin.updateSite('closing', { status: 'closed' });
    expect(await h.submit(buildSubmitted('closing'))).toBe('rejected');
  });

  it('when a comment has more links than the site allows, then it is held', async () => {
    const e = buildSubmitted('worker-news', { text: 'Sources: https://a.example.org/1 https://b.example.org/2 https://c.example.org/3 for the analysis' });
    expect(await h.submit(e)).toBe('held');
  });

  it('when readers report an approved comment past the threshold, then it goes back to held; a reader counts once', async () => {
    const e = buildSubmitted('worker-news');
    expect(await h.submit(e)).toBe('approved');
    const publish = (reader: string) => h.infra.transport.publish(Streams.commentsReported, buildReported('worker-news', e.payload.commentId, reader));
    await publish('r1');
    await publish('r1');
    await publish('r2');
    await eventually(async () => (await comments().select('report_count').where('id', '=', e.payload.commentId).executeTakeFirstOrThrow()).report_count === 2);
    expect((await comments().select('state').where('id', '=', e.payload.commentId).executeTakeFirstOrThrow()).state).toBe('approved');
    await publish('r3');
    await eventually(async () => (await comments().select('state').where('id', '=', e.payload.commentId).executeTakeFirstOrThrow()).state === 'held');
    const change = await eventually(async () => changesOf(e.payload.commentId).find((c) => c.payload.to === 'held'));
    expect(change.payload.from).toBe('approved');
    expect(change.payload.reasons[0]?.code).toBe('REPORTED');
  });

  it('when a report arrives before its comment, then it is counted once the comment arrives', async () => {
    const e = buildSubmitted('worker-news');
    await h.infra.transport.publish(Streams.commentsReported, buildReported('worker-news', e.payload.commentId, 'early'));
    await eventually(async () => (await h.db.withSchema('moderation').selectFrom('reports').select('id').where('comment_id', '=', e.payload.commentId).execute()).length === 1);
    await h.submit(e);
    expect((await comments().select('report_count').where('id', '=', e.payload.commentId).executeTakeFirstOrThrow()).report_count).toBe(1);
  });

  it('when reports past the threshold arrive before their comment, then the comment is held on arrival', async () => {
    const e = buildSubmitted('worker-news');
    for (const reader of ['x1', 'x2', 'x3']) await h.infra.transport.publish(Streams.commentsReported, buildReported('worker-news', e.payload.commentId, reader));
    await eventually(async () => (await h.db.withSchema('moderation').selectFrom('reports').select('id').where('comment_id', '=', e.payload.commentId).execute()).length === 3);
    expect(await h.submit(e)).toBe('held');
    expect((await comments().select('rules').where('id', '=', e.payload.commentId).executeTakeFirstOrThrow()).rules).toEqual(['REPORTED']);
  });

  it('when moderators mark similar comments as spam, then the site classifier learns and scores the next one higher', async () => {
    const key = await h.siteWithModerator('learner');
    const mod = modClient(h.svc.url, key, 'learner');
    const pitch = (n: number) => `Our gardening membership gives you premium tulip bulbs every month, offer ${n}`;
    const before = buildSubmitted('learner', { text: pitch(0) });
    await h.submit(before);
    const scoreOf = async (id: string) => (await comments().select('spam_score').where('id', '=', id).executeTakeFirstOrThrow()).spam_score!;
    for (let i = 1; i <= 6; i++) {
      const e = buildSubmitted('learner', { text: pitch(i) });
      const state = await h.submit(e);
      // Once it has learnt enough the pipeline marks them spam by itself.
      if (state !== 'spam') expect((await mod.decide(e.payload.commentId, { action: 'spam', expectedState: state })).status).toBe(200);
    }
    const after = buildSubmitted('learner', { text: pitch(99) });
    await h.submit(after);
    expect(await scoreOf(after.payload.commentId)).toBeGreaterThan((await scoreOf(before.payload.commentId)) + 0.3);
  });

  it('when an author deletes their comment in intake, then moderation’s copy is deleted too, even if the deletion arrives first', async () => {
    const deletion = (commentId: string, from: 'approved' | 'pending') => ({
      id: uuidv7(),
      type: 'comments.status-changed' as const,
      version: 1 as const,
      occurredAt: new Date().toISOString(),
      site: 'worker-news',
      payload: {
        commentId,
        threadId: 'peace-talks-2025',
        from,
        to: 'deleted' as const,
        reasons: [{ code: 'AUTHOR_DELETED', detail: 'deleted by its author' }],
        actor: { kind: 'author' as const, keyId: null },
        changedAt: new Date().toISOString(),
      },
    });
    const stateOf = async (id: string) => (await comments().select('state').where('id', '=', id).executeTakeFirst())?.state;
    const e = buildSubmitted('worker-news');
    expect(await h.submit(e)).toBe('approved');
    await h.infra.transport.publish(Streams.commentsStatusChanged, deletion(e.payload.commentId, 'approved'));
    await eventually(async () => (await stateOf(e.payload.commentId)) === 'deleted');
    const history = await h.db.withSchema('moderation').selectFrom('comment_events').select(['kind', 'actor_kind', 'to_state']).where('comment_id', '=', e.payload.commentId).orderBy('at').execute();
    expect(history.at(-1)).toEqual({ kind: 'author', actor_kind: 'author', to_state: 'deleted' });

    const late = buildSubmitted('worker-news');
    await h.infra.transport.publish(Streams.commentsStatusChanged, deletion(late.payload.commentId, 'pending'));
    await h.submit(late);
    await eventually(async () => (await stateOf(late.payload.commentId)) === 'deleted', 15_000);
  });

  it('when the bootstrap key is used, then it is an admin of every site (sanity of the harness)', async () => {
    expect((await h.admin.whoami()).body.sites).toEqual(['*']);
    expect(BOOTSTRAP_KEY).toMatch(/^pk_/);
  });
});
