import { NOTICE_MAX_BYTES, createLiveChannel, silentLogger, type PublicComment } from '@parley/shared';
import { eventually } from '@parley/shared/testing';
import { ThreadLiveHub, type LiveEvent } from '../domain/thread-live-hub';
import { ThreadPageCache } from '../domain/thread-page-cache';
import { LiveThreadFanOut, toNotices } from './live-thread.channel';

const id = (n: number) => `01943c4e-8a00-7000-8000-${n.toString(16).padStart(12, '0')}`;
const view = (n: number): PublicComment => ({ id: id(n), parentId: null, author: { name: 'Ada', website: null }, text: 'hi', html: '<p>hi</p>', createdAt: new Date(0).toISOString(), replies: [] });

describe('live thread notices', () => {
  it('when a bulk decision changes 500 comments, then its notices stay under NOTIFY’s limit and keep every change in order', () => {
    const changes = Array.from({ length: 500 }, (_, n) => ({ kind: 'comment' as const, site: 'daily', thread: 't'.repeat(200), id: id(n) }));
    const notices = toNotices('origin-id', changes);
    expect(notices.length).toBeGreaterThan(1);
    for (const n of notices) expect(Buffer.byteLength(JSON.stringify(n))).toBeLessThanOrEqual(NOTICE_MAX_BYTES);
    expect(notices.flatMap((n) => n.changes)).toEqual(changes);
  });

  it('when another instance approves and then removes a comment, then this instance’s open stream gets both, in order, and the publisher’s own stream gets each once', async () => {
    const channel = createLiveChannel({ channel: 'intake_live', logger: silentLogger }); // in-process: both "instances" share it
    const hubA = new ThreadLiveHub();
    const hubB = new ThreadLiveHub();
    let release!: () => void;
    const slowLoad = new Promise<void>((r) => (release = r));
    const a = new LiveThreadFanOut(channel, hubA, new ThreadPageCache(), async () => undefined, silentLogger);
    const b = new LiveThreadFanOut(
      channel,
      hubB,
      new ThreadPageCache(),
      async (_site, _thread, commentId) => {
        await slowLoad; // the load is still running when the removal arrives
        return { ...view(1), id: commentId };
      },
      silentLogger,
    );
    await a.start();
    await b.start();
    const seenA: LiveEvent[] = [];
    const seenB: LiveEvent[] = [];
    hubA.subscribe('daily', 'thread', (e) => seenA.push(e));
    hubB.subscribe('daily', 'thread', (e) => seenB.push(e));
    try {
      a.changed('daily', 'thread', { type: 'comment', comment: view(1) });
      await new Promise((r) => setImmediate(r));
      a.changed('daily', 'thread', { type: 'removed', id: id(1) });
      await new Promise((r) => setImmediate(r));
      release();
      await eventually(async () => seenB.length === 2);
      expect(seenB.map((e) => e.type)).toEqual(['comment', 'removed']);
      expect(seenA.map((e) => e.type)).toEqual(['comment', 'removed']);
    } finally {
      await a.close();
      await b.close();
    }
  });

  it('when another instance applies a thread close, then this instance’s open streams of that thread hear it', async () => {
    const channel = createLiveChannel({ channel: 'intake_live', logger: silentLogger });
    const hubA = new ThreadLiveHub();
    const hubB = new ThreadLiveHub();
    const a = new LiveThreadFanOut(channel, hubA, new ThreadPageCache(), async () => undefined, silentLogger);
    const b = new LiveThreadFanOut(channel, hubB, new ThreadPageCache(), async () => undefined, silentLogger);
    await a.start();
    await b.start();
    const seenB: LiveEvent[] = [];
    hubB.subscribe('daily', 'thread', (e) => seenB.push(e));
    try {
      a.changed('daily', 'thread', { type: 'closed', closed: true });
      await eventually(async () => seenB.length === 1);
      expect(seenB).toEqual([{ type: 'closed', closed: true }]);
    } finally {
      await a.close();
      await b.close();
    }
  });
});
