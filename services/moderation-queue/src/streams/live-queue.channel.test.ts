import { NOTICE_MAX_BYTES, createLiveChannel, silentLogger, type LiveChannel } from '@parley/shared';
import { QueueLiveHub, type QueueChange } from '../domain/queue-live-hub';
import { LiveQueueFanOut, toNotices } from './live-queue.channel';

const change = (i: number, site = 'thinktank'): QueueChange => ({
  site,
  commentId: `01943c4e-8a00-7000-8000-${String(i).padStart(12, '0')}`,
  threadId: `thread-${'x'.repeat(150)}-${i}`,
  from: 'held',
  to: 'approved',
  at: '2026-01-15T10:00:00.000Z',
});

/** What the hub hands to listeners of `site`. */
const heard = (hub: QueueLiveHub, site: string) => {
  const seen: QueueChange[] = [];
  hub.subscribe(site, (c) => seen.push(c));
  return seen;
};
const nextTurn = () => new Promise((r) => setImmediate(r));

describe('live queue notices', () => {
  it('when 500 changes are split into notices, then each stays under the NOTIFY limit and together they hold every change in order', () => {
    const changes = Array.from({ length: 500 }, (_, i) => change(i));
    const notices = toNotices(changes);
    expect(notices.length).toBeGreaterThan(1);
    for (const n of notices) expect(Buffer.byteLength(JSON.stringify(n))).toBeLessThanOrEqual(NOTICE_MAX_BYTES);
    expect(notices.flatMap((n) => n.changes)).toEqual(changes);
  });

  it('when changes are published in one process, then the hub of that site hears them once, in order', async () => {
    const hub = new QueueLiveHub();
    const fanOut = new LiveQueueFanOut(createLiveChannel({ channel: 'moderation_live', logger: silentLogger }), hub, silentLogger);
    await fanOut.start();
    const seen = heard(hub, 'thinktank');
    fanOut.publish([change(1), change(2, 'elsewhere')]);
    fanOut.publish([change(3)]);
    await fanOut.close(); // sends what is pending first
    expect(seen.map((c) => c.commentId)).toEqual([change(1).commentId, change(3).commentId]);
  });

  it('when the channel refuses a notice, then publishing does not throw and later notices still arrive', async () => {
    const inner = createLiveChannel({ channel: 'moderation_live', logger: silentLogger });
    let refuse = true;
    const flaky: LiveChannel = {
      ...inner,
      start: () => inner.start(),
      close: () => inner.close(),
      subscribe: (fn) => inner.subscribe(fn),
      publish: async (p) => {
        if (refuse) throw new Error('connection lost');
        await inner.publish(p);
      },
    };
    const hub = new QueueLiveHub();
    const fanOut = new LiveQueueFanOut(flaky, hub, silentLogger);
    await fanOut.start();
    const seen = heard(hub, 'thinktank');
    expect(() => fanOut.publish([change(1)])).not.toThrow();
    await nextTurn();
    refuse = false;
    fanOut.publish([change(2)]);
    await fanOut.close();
    expect(seen.map((c) => c.commentId)).toEqual([change(2).commentId]);
  });

  it('when a notice is not one this version reads, then it is ignored', async () => {
    const channel = createLiveChannel({ channel: 'moderation_live', logger: silentLogger });
    const hub = new QueueLiveHub();
    const fanOut = new LiveQueueFanOut(channel, hub, silentLogger);
    await fanOut.start();
    const seen = heard(hub, 'thinktank');
    await channel.publish({ changes: [{ site: 'thinktank', commentId: 'c1' }] });
    await channel.publish({ something: 'else' });
    fanOut.publish([change(1)]);
    await fanOut.close();
    expect(seen.map((c) => c.commentId)).toEqual([change(1).commentId]);
  });
});
