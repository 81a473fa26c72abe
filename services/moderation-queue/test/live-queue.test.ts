import http from 'node:http';
import { eventually } from '@parley/shared/testing';
import { buildSubmitted, modClient, startModeration, type ModerationHarness } from './support/moderation-harness';

let h: ModerationHarness;

beforeAll(async () => {
  h = await startModeration();
});

afterAll(async () => {
  await h.close();
});

/** Opens the live queue and collects its events until closed. */
function openLive(url: string, key: string, site: string) {
  const events: { event: string; data: { commentId: string; from: string | null; to: string } }[] = [];
  let status = 0;
  let buffer = '';
  const req = http.get(`${url}/v1/sites/${site}/queue/live`, { headers: { Authorization: `Bearer ${key}` } }, (res) => {
    status = res.statusCode ?? 0;
    res.setEncoding('utf8');
    res.on('data', (chunk: string) => {
      buffer += chunk;
      let i: number;
      while ((i = buffer.indexOf('\n\n')) >= 0) {
        const block = buffer.slice(0, i);
        buffer = buffer.slice(i + 2);
        const event = /^event: (.+)$/m.exec(block)?.[1];
        const data = /^data: (.+)$/m.exec(block)?.[1];
        if (event && data) events.push({ event, data: JSON.parse(data) });
      }
    });
  });
  req.on('error', () => undefined);
  return { events, status: () => status, close: () => req.destroy() };
}

describe('the live queue', () => {
  it('when a comment enters the queue and a moderator decides it, then the stream shows it entering and leaving', async () => {
    const key = await h.siteWithModerator('live-site', { moderation: { mode: 'pre' } });
    const live = openLive(h.svc.url, key, 'live-site');
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
    const live = openLive(h.svc.url, key, 'quiet-site');
    await eventually(async () => live.status() === 200);
    await h.submit(buildSubmitted('noisy-site'));
    const mine = buildSubmitted('quiet-site');
    await h.submit(mine);
    await eventually(async () => live.events.length > 0);
    expect(live.events.map((x) => x.data.commentId)).toEqual([mine.payload.commentId]);
    live.close();
  });
});
