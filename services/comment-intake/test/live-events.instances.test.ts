import request from 'supertest';
import { createTransport, silentLogger, type StreamTransport } from '@parley/shared';
import { eventually, startTestInfra, startTestService, type RunningTestService, type TestInfraHandle } from '@parley/shared/testing';
import { commentIntake } from '../src/service';
import { ORIGIN, buildComment, buildSite, decide, seedSite, submit, type IntakeHarness } from './support/intake';
import { openEventStream } from './support/sse-client';

/**
 * Two intake instances on one database. Only A consumes the stream events the test publishes:
 * B reads its streams from a transport of its own, so whatever B's readers see of A's changes came
 * through the live channel (Postgres LISTEN/NOTIFY, ADR 0014).
 */
let infra: TestInfraHandle;
let a: IntakeHarness;
let b: RunningTestService;
let bTransport: StreamTransport;

beforeAll(async () => {
  infra = await startTestInfra();
  const env = {
    DATABASE_URL: infra.databaseUrl,
    REDIS_URL: infra.redisUrl,
    REDIS_KEY_PREFIX: infra.redisPrefix,
    RATE_LIMIT_IP_PER_MINUTE: '10000',
    RATE_LIMIT_EMAIL_PER_MINUTE: '10000',
    RATE_LIMIT_SITE_PER_MINUTE: '10000',
    // A minute: a page on B can only change within a test through A's live notice.
    THREAD_VERSION_TTL_MS: '60000',
  };
  const svcA = await startTestService(commentIntake, infra, env);
  a = { infra, svc: svcA, url: svcA.url, stop: () => svcA.stop() };
  bTransport = createTransport({ keyPrefix: `${infra.redisPrefix}b:`, logger: silentLogger });
  b = await startTestService(commentIntake, { db: infra.db, transport: bTransport }, env);
  await seedSite(a, buildSite('daily'));
});

afterAll(async () => {
  await b?.stop();
  await bTransport?.close();
  await a?.stop();
  await infra?.close();
});

const pageOnB = (thread: string) => request(b.url).get(`/v1/sites/daily/threads/${thread}/comments`);

describe('live updates across intake instances', () => {
  it('when instance A applies an approval and then the author deletes on A, then a reader streaming from B receives the comment and its removal', async () => {
    const stream = await openEventStream(`${b.url}/v1/sites/daily/threads/across/events`);
    try {
      expect(stream.status).toBe(200);
      const res = await submit(a, 'daily', 'across', buildComment({ text: 'Seen from <i>B</i> too' }));
      await decide(a, 'daily', res.body.id, 'pending', 'approved');
      const added = await eventually(async () => stream.events.find((e) => e.event === 'comment'), 10_000);
      expect(added.id).toBe(res.body.id);
      expect(JSON.parse(added.data)).toMatchObject({ id: res.body.id, text: 'Seen from <i>B</i> too', html: '<p>Seen from &lt;i&gt;B&lt;/i&gt; too</p>' });

      const deleted = await request(a.url).delete(`/v1/comments/${res.body.id}`).set('Origin', ORIGIN).set('X-Author-Token', res.body.authorToken);
      expect(deleted.status).toBe(204);
      const removed = await eventually(async () => stream.events.find((e) => e.event === 'removed'), 10_000);
      expect(JSON.parse(removed.data)).toEqual({ id: res.body.id });
    } finally {
      stream.close();
    }
  });

  it('when A approves a comment, then B’s cached page of the thread shows it (and a new ETag) without waiting for the version memo', async () => {
    const before = await pageOnB('cached');
    expect(before.body.total).toBe(0);
    const res = await submit(a, 'daily', 'cached', buildComment({ text: 'Fresh on B' }));
    await decide(a, 'daily', res.body.id, 'pending', 'approved');
    const after = await eventually(async () => {
      const page = await pageOnB('cached');
      return page.body.total === 1 ? page : undefined;
    }, 10_000);
    expect(after.body.items.map((c: { text: string }) => c.text)).toEqual(['Fresh on B']);
    expect(after.headers.etag).not.toBe(before.headers.etag);
  });

  it('when a comment is held on A, then B’s streams receive nothing for it', async () => {
    const stream = await openEventStream(`${b.url}/v1/sites/daily/threads/held/events`);
    try {
      const held = await submit(a, 'daily', 'held', buildComment());
      await decide(a, 'daily', held.body.id, 'pending', 'held');
      const marker = await submit(a, 'daily', 'held', buildComment({ text: 'marker' }));
      await decide(a, 'daily', marker.body.id, 'pending', 'approved');
      await eventually(async () => stream.events.length > 0, 10_000);
      expect(stream.events.map((e) => e.id)).toEqual([marker.body.id]);
    } finally {
      stream.close();
    }
  });
});
