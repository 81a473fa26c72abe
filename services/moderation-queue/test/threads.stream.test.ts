import { Streams, threadsChangedV1, type Subscription, type ThreadsChangedV1 } from '@parley/shared';
import { eventually } from '@parley/shared/testing';
import { modClient, startModeration, type ModerationHarness } from './support/moderation-harness';

let h: ModerationHarness;
let observer: Subscription;
/** Every `threads.changed` published, as this test's own consumer group (what comment-intake will be) sees it. */
const seen: ThreadsChangedV1[] = [];

beforeAll(async () => {
  h = await startModeration();
  observer = h.infra.transport.subscribe({
    stream: Streams.threadsChanged,
    group: 'test-threads-observer',
    consumer: 'observer',
    schema: threadsChangedV1,
    handler: async (d) => void seen.push(d.envelope),
  });
});

afterAll(async () => {
  await observer.stop();
  await h.close();
});

describe('threads.changed', () => {
  it('when a moderator closes a thread and reopens it, then the stream carries one event for each, in order, with the closing time', async () => {
    const key = await h.siteWithModerator('closing-site');
    const mod = modClient(h.svc.url, key, 'closing-site');
    const thread = 'election-night-live';

    const closed = await mod.closeThread(thread);
    expect(closed.status).toBe(200);
    const first = await eventually(async () => seen.find((e) => e.payload.threadId === thread));
    expect(first).toMatchObject({ type: 'threads.changed', version: 1, site: 'closing-site', payload: { threadId: thread, closedAt: closed.body.closedAt } });

    expect((await mod.reopenThread(thread)).status).toBe(200);
    await eventually(async () => seen.filter((e) => e.payload.threadId === thread).length >= 2);
    const mine = seen.filter((e) => e.payload.threadId === thread);
    expect(mine.map((e) => e.payload.closedAt)).toEqual([closed.body.closedAt, null]);
    expect(new Set(mine.map((e) => e.id)).size).toBe(2);
    for (const e of mine) expect(threadsChangedV1.parse(e)).toEqual(e);
  });

  it('when a close is refused (bad thread id, or another site), then nothing is published', async () => {
    const key = await h.siteWithModerator('guarded-site');
    await h.siteWithModerator('other-site');
    const mod = modClient(h.svc.url, key, 'guarded-site');
    expect((await mod.closeThread('not a slug!')).status).toBe(400);
    expect((await modClient(h.svc.url, key, 'other-site').closeThread('theirs')).status).toBe(403);
    // A close that is accepted after the refused ones is the only event of this site to arrive.
    expect((await mod.closeThread('mine')).status).toBe(200);
    await eventually(async () => seen.some((e) => e.site === 'guarded-site'));
    expect(seen.filter((e) => e.site === 'guarded-site' || e.site === 'other-site').map((e) => e.payload.threadId)).toEqual(['mine']);
  });
});
