import { eventually } from '@parley/shared/testing';
import { buildComment, buildSite, decide, seedSite, startIntake, submit, type IntakeHarness } from './support/intake';
import { openEventStream } from './support/sse-client';

let h: IntakeHarness;

beforeAll(async () => {
  h = await startIntake();
  await seedSite(h, buildSite('daily'));
});

afterAll(async () => {
  await h.stop();
});

describe('server-sent events of a thread', () => {
  it('when a comment is approved and later removed, then an open page receives it, rendered, and then its removal', async () => {
    const stream = await openEventStream(`${h.url}/v1/sites/daily/threads/live/events`);
    try {
      expect(stream.status).toBe(200);
      expect(stream.headers['content-type']).toMatch(/text\/event-stream/);
      const other = await openEventStream(`${h.url}/v1/sites/daily/threads/elsewhere/events`);
      const res = await submit(h, 'daily', 'live', buildComment({ text: 'Hello <b>live</b>' }));
      await decide(h, 'daily', res.body.id, 'pending', 'approved');
      const added = await eventually(async () => stream.events.find((e) => e.event === 'comment'), 10_000);
      expect(added.id).toBe(res.body.id);
      expect(JSON.parse(added.data)).toMatchObject({ id: res.body.id, text: 'Hello <b>live</b>', html: '<p>Hello &lt;b&gt;live&lt;/b&gt;</p>' });
      await decide(h, 'daily', res.body.id, 'approved', 'removed');
      const removed = await eventually(async () => stream.events.find((e) => e.event === 'removed'), 10_000);
      expect(JSON.parse(removed.data)).toEqual({ id: res.body.id });
      expect(other.events).toEqual([]);
      other.close();
    } finally {
      stream.close();
    }
  });

  it('when a comment is held, then nothing is pushed', async () => {
    const stream = await openEventStream(`${h.url}/v1/sites/daily/threads/quiet/events`);
    try {
      const res = await submit(h, 'daily', 'quiet', buildComment());
      await decide(h, 'daily', res.body.id, 'pending', 'held');
      const marker = await submit(h, 'daily', 'quiet', buildComment());
      await decide(h, 'daily', marker.body.id, 'pending', 'approved');
      await eventually(async () => stream.events.length > 0, 10_000);
      expect(stream.events.map((e) => e.id)).toEqual([marker.body.id]);
    } finally {
      stream.close();
    }
  });

  it('when the site is unknown, then the stream is refused with 404', async () => {
    const stream = await openEventStream(`${h.url}/v1/sites/nowhere/threads/t/events`);
    expect(stream.status).toBe(404);
    stream.close();
  });
});
