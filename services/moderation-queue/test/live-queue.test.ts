import { eventually } from '@parley/shared/testing';
import { openLiveQueue } from './support/live-queue-client';
import { buildSubmitted, modClient, startModeration, type ModerationHarness } from './support/moderation-harness';

let h: ModerationHarness;

beforeAll(async () => {
  h = await startModeration();
});

afterAll(async () => {
  await h.close();
});

describe('the live queue', () => {
  it('when a comment enters the queue and a moderator decides it, then the stream shows it entering and leaving', async () => {
    const key = await h.siteWithModerator('live-site', { moderation: { mode: 'pre' } });
    const live = openLiveQueue(h.svc.url, key, 'live-site');
    await eventually(async () => live.status() === 200);
    const e = buildSubmitted('live-site');
    await h.submit(e);
    const id = e.payload.commentId;
    await eventually(async () => live.events.some((x) => x.event === 'entered' && x.data.commentId === id));
    await modClient(h.svc.url, key, 'live-site').decide(id, { action: 'approve', expectedState: 'held' });
    const left = await eventually(async () => live.events.find((x) => x.event === 'left' && x.data.commentId === id));
    expect(left.data).toMatchObject({ from: 'held', to: 'approved' });
    live.close();
  });

  it('when another site changes, then this site’s stream stays quiet', async () => {
    const key = await h.siteWithModerator('quiet-site', { moderation: { mode: 'pre' } });
    await h.siteWithModerator('noisy-site', { moderation: { mode: 'pre' } });
    const live = openLiveQueue(h.svc.url, key, 'quiet-site');
    await eventually(async () => live.status() === 200);
    await h.submit(buildSubmitted('noisy-site'));
    const mine = buildSubmitted('quiet-site');
    await h.submit(mine);
    await eventually(async () => live.events.length > 0);
    expect(live.events.map((x) => x.data.commentId)).toEqual([mine.payload.commentId]);
    live.close();
  });

  it('when a moderator decides through another instance, then streams open on every instance show it, once', async () => {
    const key = await h.siteWithModerator('fanout-site', { moderation: { mode: 'pre' } });
    const b = await h.startInstance();
    const onA = openLiveQueue(h.svc.url, key, 'fanout-site');
    const onB = openLiveQueue(b.url, key, 'fanout-site');
    await eventually(async () => onA.status() === 200 && onB.status() === 200);
    const e = buildSubmitted('fanout-site');
    await h.submit(e);
    const id = e.payload.commentId;
    // The worker that judged it may run in either instance; both streams see it enter.
    await eventually(async () => [onA, onB].every((l) => l.events.some((x) => x.event === 'entered' && x.data.commentId === id)));

    expect((await modClient(h.svc.url, key, 'fanout-site').decide(id, { action: 'approve', expectedState: 'held' })).status).toBe(200);
    const left = await eventually(async () => onB.events.find((x) => x.event === 'left' && x.data.commentId === id));
    expect(left.data).toMatchObject({ from: 'held', to: 'approved' });
    await eventually(async () => onA.events.some((x) => x.event === 'left' && x.data.commentId === id));
    for (const l of [onA, onB]) expect(l.events.filter((x) => x.data.commentId === id).map((x) => x.event)).toEqual(['entered', 'left']);
    onA.close();
    onB.close();
  });

  it('when a bulk decision moves more comments than one notice can carry, then another instance’s stream shows every one leaving', async () => {
    const key = await h.siteWithModerator('bulk-live-site', { moderation: { mode: 'pre' } });
    const b = await h.startInstance();
    const ids: string[] = [];
    for (let i = 0; i < 60; i++) {
      const e = buildSubmitted('bulk-live-site', { threadId: `a-rather-long-thread-name-to-fill-the-notice-${i}` });
      await h.submit(e);
      ids.push(e.payload.commentId);
    }
    const onB = openLiveQueue(b.url, key, 'bulk-live-site');
    await eventually(async () => onB.status() === 200);
    const res = await modClient(h.svc.url, key, 'bulk-live-site').bulk({ action: 'reject', items: ids.map((commentId) => ({ commentId, expectedState: 'held' })) });
    expect(res.status).toBe(200);
    await eventually(async () => onB.events.filter((x) => x.event === 'left').length >= ids.length, 10_000);
    expect(onB.events.filter((x) => x.event === 'left').map((x) => x.data.commentId).sort()).toEqual([...ids].sort());
    onB.close();
  });
});
