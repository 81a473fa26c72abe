import request from 'supertest';
import { sql } from 'kysely';
import { consentRecordedV1, Streams, type Envelope } from '@parley/shared';
import { eventually, startTestInfra, startTestService, type RunningTestService, type TestInfraHandle } from '@parley/shared/testing';
import { cookieConsent } from '../src/service';
import { buildConsentBody } from './support/consents';
import { canonicalJson, sha256Hex } from '../src/domain/canonical-json';
import { parseConsentBody } from '../src/domain/record-consent';
import { announceSite } from './support/tenancy';

let infra: TestInfraHandle;
let svc: RunningTestService;
const ORIGIN = 'https://daily.example.org';

beforeAll(async () => {
  infra = await startTestInfra();
  svc = await startTestService(cookieConsent, infra);
  await announceSite(infra, 'daily', [ORIGIN]);
  await announceSite(infra, 'weekly', ['https://weekly.example.org']);
  // Makes revision 1 (the default) exist for both sites, as banner.js would.
  await request(svc.url).get('/v1/sites/daily/consent/config');
  await request(svc.url).get('/v1/sites/weekly/consent/config');
});

afterAll(async () => {
  await svc.stop();
  await infra.close();
});

const post = (body: unknown, origin: string | null = ORIGIN) => {
  const r = request(svc.url).post('/v1/consents').set('User-Agent', 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36');
  if (origin) r.set('Origin', origin);
  return r.send(body as object);
};
const rowsFor = async (consentId: string) =>
  (await sql<Record<string, unknown>>`select * from consent.records where consent_id = ${consentId} order by seq`.execute(infra.db.db)).rows;

describe('POST /v1/consents', () => {
  it('when an allowed page records a choice, then 201 with a receipt and one append-only record without the raw IP', async () => {
    const body = buildConsentBody('daily', ORIGIN);
    const res = await post(body);
    expect(res.status).toBe(201);
    expect(res.headers['access-control-allow-origin']).toBe(ORIGIN);
    expect(res.body).toMatchObject({ consentId: body.consentId, recordId: expect.any(String), receipt: expect.stringMatching(/^[\w-]+\.[\w-]+\.[\w-]+$/) });
    const [row, ...more] = await rowsFor(body.consentId);
    expect(more).toHaveLength(0);
    expect(row).toMatchObject({
      site: 'daily',
      action: 'custom',
      accepted: ['necessary', 'functional'],
      rejected: ['analytics', 'marketing'],
      page_url: `${ORIGIN}/2025/peace-talks`,
      ip_prefix: '127.0.0.0/24',
      user_agent: 'Chrome 131 / Linux',
      gpc: false,
    });
    expect(row!.ip_hash).toMatch(/^[0-9a-f]{64}$/);
    expect(JSON.stringify(row)).not.toContain('127.0.0.1');
    await expect(sql`update consent.records set gpc = true where consent_id = ${body.consentId}`.execute(infra.db.db)).rejects.toThrow(/append-only/);
  });

  it('when a visitor changes their mind, then a second record is appended, never an update', async () => {
    const body = buildConsentBody('daily', ORIGIN, { action: 'accept_all', accepted: ['necessary', 'functional', 'analytics', 'marketing'], rejected: [] });
    await post(body);
    await post({ ...body, action: 'withdraw', accepted: ['necessary'], rejected: ['functional', 'analytics', 'marketing'] });
    const rows = await rowsFor(body.consentId);
    expect(rows.map((r) => r.action)).toEqual(['accept_all', 'withdraw']);
    expect(rows[1]!.prev_hash).toBe(rows[0]!.hash);
  });

  it('when the Origin is missing or not on the allow-list, then 403 and nothing is stored', async () => {
    const body = buildConsentBody('daily', ORIGIN);
    const none = await post(body, null);
    const foreign = await post(body, 'https://evil.example');
    const otherSite = await post(body, 'https://weekly.example.org');
    for (const res of [none, foreign, otherSite]) {
      expect(res.status).toBe(403);
      expect(res.body.code).toBe('ORIGIN_NOT_ALLOWED');
      expect(res.headers['access-control-allow-origin']).toBeUndefined();
    }
    expect(await rowsFor(body.consentId)).toHaveLength(0);
  });

  it('when the input is bad, then 4xx problem details name the field and nothing is stored', async () => {
    const cases: [unknown, number, string?][] = [
      [{ ...buildConsentBody('daily', ORIGIN), action: 'maybe' }, 422, 'body.action'],
      [{ ...buildConsentBody('daily', ORIGIN), consentId: 'not-a-uuid' }, 422, 'body.consentId'],
      [{ ...buildConsentBody('daily', ORIGIN), accepted: ['necessary', 'telepathy'] }, 422, 'body.accepted.1'],
      [{ ...buildConsentBody('daily', ORIGIN), rejected: ['necessary'], accepted: [] }, 422, 'body.rejected.0'],
      [{ ...buildConsentBody('daily', ORIGIN), revision: 99 }, 422, 'body.revision'],
      [{ ...buildConsentBody('daily', ORIGIN), pageUrl: 'https://elsewhere.example/x' }, 422, 'body.pageUrl'],
      [{ ...buildConsentBody('daily', ORIGIN), pageUrl: 'javascript:alert(1)' }, 422, 'body.pageUrl'],
      [{ ...buildConsentBody('daily', ORIGIN), extra: 1 }, 422],
      [{ ...buildConsentBody('nowhere', ORIGIN) }, 404],
      [[], 422],
    ];
    for (const [body, status, path] of cases) {
      const res = await post(body);
      expect({ status: res.status, body }).toEqual({ status, body });
      expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
      if (path) expect(res.body.errors.map((e: { path: string }) => e.path)).toContain(path);
    }
    const form = await request(svc.url).post('/v1/consents').set('Origin', ORIGIN).type('form').send('site=daily');
    expect(form.status).toBe(415);
    const broken = await request(svc.url).post('/v1/consents').set('Origin', ORIGIN).set('Content-Type', 'application/json').send('{"site":');
    expect(broken.status).toBe(400);
    const invalid = await post({ ...buildConsentBody('daily', ORIGIN), action: 'maybe' });
    expect(invalid.headers['access-control-allow-origin']).toBe(ORIGIN); // the banner can read why
    const huge = await post({ ...buildConsentBody('daily', ORIGIN), language: 'x'.repeat(20_000) });
    expect(huge.status).toBe(413);
    const badKey = await post(buildConsentBody('daily', ORIGIN)).set('Idempotency-Key', 'short');
    expect(badKey.status).toBe(400);
  });

  it('when a request is retried with the same Idempotency-Key, then the first answer comes back and only one record exists', async () => {
    const body = buildConsentBody('daily', ORIGIN);
    const key = `retry-${body.consentId}`;
    const [a, b] = await Promise.all([post(body).set('Idempotency-Key', key), post(body).set('Idempotency-Key', key)]);
    const c = await post(body).set('Idempotency-Key', key);
    expect([a.status, b.status, c.status]).toEqual([201, 201, 201]);
    expect(b.body).toEqual(a.body);
    expect(c.body).toEqual(a.body);
    expect(c.headers['idempotent-replayed']).toBe('true');
    expect(await rowsFor(body.consentId)).toHaveLength(1);
    const reused = await post({ ...body, action: 'reject_all', accepted: [], rejected: [] }).set('Idempotency-Key', key);
    expect(reused.status).toBe(422);
    expect(reused.body.code).toBe('IDEMPOTENCY_KEY_REUSED');
  });

  it('when a key stored its record id, then a later retry gets the very receipt the first request got, re-signed from the record', async () => {
    const body = buildConsentBody('daily', ORIGIN);
    const key = `later-${body.consentId}`;
    const first = await post(body).set('Idempotency-Key', key);
    const { rows } = await sql<{ record_id: string | null; response: unknown }>`select record_id, response from consent.idempotency_keys where key = ${key}`.execute(infra.db.db);

    const retry = await post(body).set('Idempotency-Key', key);

    expect(rows).toEqual([{ record_id: first.body.recordId, response: null }]);
    expect(retry.status).toBe(201);
    expect(retry.body).toEqual(first.body);
    expect(retry.headers['idempotent-replayed']).toBe('true');
  });

  it('when a key was stored with its whole answer (before keys named their record), then a retry gets that answer', async () => {
    const body = buildConsentBody('daily', ORIGIN);
    const key = `legacy-${body.consentId}`;
    const answer = { recordId: '0193c9a0-0000-7000-8000-000000000001', consentId: body.consentId, recordedAt: '2026-11-26T10:00:00.000Z', receipt: 'a.b.c' };
    await sql`insert into consent.idempotency_keys (site, key, request_hash, response)
              values ('daily', ${key}, ${sha256Hex(canonicalJson(parseConsentBody(body)))}, ${JSON.stringify(answer)}::jsonb)`.execute(infra.db.db);

    const retry = await post(body).set('Idempotency-Key', key);

    expect(retry.status).toBe(201);
    expect(retry.body).toEqual(answer);
    expect(await rowsFor(body.consentId)).toHaveLength(0);
  });

  it('when the browser sends Sec-GPC: 1, then the record says so even if the body does not', async () => {
    const body = buildConsentBody('daily', ORIGIN, { action: 'gpc' });
    const res = await post(body).set('Sec-GPC', '1');
    expect(res.status).toBe(201);
    expect((await rowsFor(body.consentId))[0]).toMatchObject({ gpc: true, action: 'gpc' });
  });

  it('when a browser preflights the write, then it may send JSON with an Idempotency-Key', async () => {
    const res = await request(svc.url).options('/v1/consents').set('Origin', ORIGIN).set('Access-Control-Request-Method', 'POST');
    expect(res.status).toBe(204);
    expect(res.headers['access-control-allow-origin']).toBe(ORIGIN);
    expect(res.headers['access-control-allow-headers']).toMatch(/Idempotency-Key/);
  });

  it('when a record is committed, then consent.recorded is published through the outbox', async () => {
    const body = buildConsentBody('weekly', 'https://weekly.example.org', { action: 'reject_all', accepted: [], rejected: [] });
    const res = await post(body, 'https://weekly.example.org');
    expect(res.status).toBe(201);
    const seen: Envelope[] = [];
    const sub = infra.transport.subscribe({
      stream: Streams.consentRecorded,
      group: 'test-observer',
      consumer: 'c1',
      schema: consentRecordedV1,
      handler: async (d) => void seen.push(d.envelope),
    });
    try {
      const event = await eventually(async () => seen.find((e) => (e.payload as { consentId: string }).consentId === body.consentId), 15_000);
      expect(event).toMatchObject({ site: 'weekly', payload: { recordId: res.body.recordId, action: 'reject_all', accepted: ['necessary'], rejected: ['functional', 'analytics', 'marketing'] } });
    } finally {
      await sub.stop();
    }
  });
});

describe('rate limit', () => {
  let limited: RunningTestService;
  beforeAll(async () => {
    limited = await startTestService(cookieConsent, infra, { CONSENT_RATE_LIMIT_PER_MINUTE: '2' });
  });
  afterAll(async () => {
    await limited.stop();
  });

  it('when one address writes too often, then 429 with Retry-After and nothing more is stored', async () => {
    const bodies = [1, 2, 3].map(() => buildConsentBody('daily', ORIGIN));
    const statuses: number[] = [];
    let last: request.Response | undefined;
    for (const body of bodies) {
      last = await request(limited.url).post('/v1/consents').set('Origin', ORIGIN).send(body);
      statuses.push(last.status);
    }
    expect(statuses).toEqual([201, 201, 429]);
    expect(last!.body.code).toBe('RATE_LIMITED');
    expect(last!.headers['retry-after']).toBeDefined();
    expect(await rowsFor(bodies[2]!.consentId)).toHaveLength(0);
  });

  it('when the writes go to two instances, then they share one count', async () => {
    // Behind a trusted proxy on loopback, so this case has a client address of its own.
    const settings = { CONSENT_RATE_LIMIT_PER_MINUTE: '2', TRUST_PROXY: 'loopback', REDIS_URL: infra.redisUrl, REDIS_KEY_PREFIX: infra.redisPrefix };
    const [a, b] = [await startTestService(cookieConsent, infra, settings), await startTestService(cookieConsent, infra, settings)];
    try {
      const send = (url: string) =>
        request(url).post('/v1/consents').set('Origin', ORIGIN).set('X-Forwarded-For', '198.51.100.7').send(buildConsentBody('daily', ORIGIN));
      const statuses = [(await send(a.url)).status, (await send(b.url)).status, (await send(b.url)).status];
      expect(statuses).toEqual([201, 201, 429]);
    } finally {
      await a.stop();
      await b.stop();
    }
  });
});
