import request from 'supertest';
import { startTestInfra, startTestService, type RunningTestService, type TestInfraHandle } from '@parley/shared/testing';
import { cookieConsent } from '../src/service';
import { DEFAULT_CONSENT_CONFIG } from '../src/domain/default-config';
import { announceKey, announceSite } from './support/tenancy';

let infra: TestInfraHandle;
let svc: RunningTestService;
let adminA: string;
let adminB: string;
let moderatorA: string;
const ORIGIN = 'https://daily.example.org';

beforeAll(async () => {
  infra = await startTestInfra();
  svc = await startTestService(cookieConsent, infra);
  await announceSite(infra, 'daily', [ORIGIN]);
  await announceSite(infra, 'weekly', ['https://weekly.example.org']);
  [adminA, adminB, moderatorA] = await Promise.all([
    announceKey(infra, 'admin', ['daily']),
    announceKey(infra, 'admin', ['weekly']),
    announceKey(infra, 'moderator', ['daily']),
  ]);
});

afterAll(async () => {
  await svc.stop();
  await infra.close();
});

const configUrl = (site: string) => `/v1/admin/sites/${site}/consent/config`;
const withMarketingText = (description: string) => ({
  ...DEFAULT_CONSENT_CONFIG,
  texts: { en: { ...DEFAULT_CONSENT_CONFIG.texts.en!, description } },
});

describe('consent configuration', () => {
  it('when a site has no configuration yet, then the default is revision 1 with its content hash', async () => {
    const res = await request(svc.url).get(configUrl('daily')).set('Authorization', `Bearer ${adminA}`);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ site: 'daily', revision: 1, contentHash: expect.stringMatching(/^[0-9a-f]{64}$/) });
    expect(res.body.config.categories.map((c: { id: string }) => c.id)).toEqual(['necessary', 'functional', 'analytics', 'marketing']);
    expect(res.body.config.lifetimeDays).toBe(182);
  });

  it('when a changed configuration is published, then it becomes a new revision and older ones stay unchanged', async () => {
    const before = await request(svc.url).get(configUrl('daily')).set('Authorization', `Bearer ${adminA}`);
    const res = await request(svc.url).put(configUrl('daily')).set('Authorization', `Bearer ${adminA}`).send(withMarketingText('We use cookies. Choose.'));
    expect(res.status).toBe(201);
    expect(res.body.revision).toBe(before.body.revision + 1);
    expect(res.body.contentHash).not.toBe(before.body.contentHash);
    const old = await request(svc.url).get(`${configUrl('daily')}/revisions/${before.body.revision}`).set('Authorization', `Bearer ${adminA}`);
    expect(old.body).toEqual(before.body);
    const list = await request(svc.url).get(`${configUrl('daily')}/revisions`).set('Authorization', `Bearer ${adminA}`);
    expect(list.body.items.map((r: { revision: number }) => r.revision)).toEqual([res.body.revision, before.body.revision]);
  });

  it('when the same configuration is published again, then no new revision is made', async () => {
    const first = await request(svc.url).put(configUrl('daily')).set('Authorization', `Bearer ${adminA}`).send(withMarketingText('Same text twice.'));
    const again = await request(svc.url).put(configUrl('daily')).set('Authorization', `Bearer ${adminA}`).send(withMarketingText('Same text twice.'));
    expect(again.status).toBe(200);
    expect(again.body.revision).toBe(first.body.revision);
  });

  it('when If-Match names an older revision, then 409 and nothing is published', async () => {
    const current = await request(svc.url).get(configUrl('daily')).set('Authorization', `Bearer ${adminA}`);
    const stale = await request(svc.url)
      .put(configUrl('daily'))
      .set('Authorization', `Bearer ${adminA}`)
      .set('If-Match', `"r${current.body.revision - 1}-x"`)
      .send(withMarketingText('Stale edit.'));
    expect(stale.status).toBe(409);
    const ok = await request(svc.url).put(configUrl('daily')).set('Authorization', `Bearer ${adminA}`).set('If-Match', current.headers.etag!).send(withMarketingText('Fresh edit.'));
    expect(ok.status).toBe(201);
  });

  it('when the configuration is invalid, then 422 names the fields and no revision is made', async () => {
    const before = await request(svc.url).get(configUrl('daily')).set('Authorization', `Bearer ${adminA}`);
    const res = await request(svc.url)
      .put(configUrl('daily'))
      .set('Authorization', `Bearer ${adminA}`)
      .send({ categories: [{ id: 'Bad Id' }], texts: {}, lifetimeDays: 9999 });
    expect(res.status).toBe(422);
    expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
    const paths = res.body.errors.map((e: { path: string }) => e.path);
    expect(paths).toEqual(expect.arrayContaining(['body.categories.0.id', 'body.lifetimeDays']));
    const noNecessary = await request(svc.url)
      .put(configUrl('daily'))
      .set('Authorization', `Bearer ${adminA}`)
      .send({ ...DEFAULT_CONSENT_CONFIG, categories: DEFAULT_CONSENT_CONFIG.categories.filter((c) => c.id !== 'necessary') });
    expect(noNecessary.status).toBe(422);
    const after = await request(svc.url).get(configUrl('daily')).set('Authorization', `Bearer ${adminA}`);
    expect(after.body.revision).toBe(before.body.revision);
  });

  it('when the body is not JSON or broken, then 415 or 400, never 5xx', async () => {
    const form = await request(svc.url).put(configUrl('daily')).set('Authorization', `Bearer ${adminA}`).type('form').send('a=b');
    expect(form.status).toBe(415);
    const broken = await request(svc.url).put(configUrl('daily')).set('Authorization', `Bearer ${adminA}`).set('Content-Type', 'application/json').send('{"categories":');
    expect(broken.status).toBe(400);
    const badRev = await request(svc.url).get(`${configUrl('daily')}/revisions/abc`).set('Authorization', `Bearer ${adminA}`);
    expect(badRev.status).toBe(400);
    const missingRev = await request(svc.url).get(`${configUrl('daily')}/revisions/999`).set('Authorization', `Bearer ${adminA}`);
    expect(missingRev.status).toBe(404);
  });

  it('when the key is missing, unknown, a moderator or scoped to another site, then 401 or 403', async () => {
    expect((await request(svc.url).get(configUrl('daily'))).status).toBe(401);
    expect((await request(svc.url).get(configUrl('daily')).set('Authorization', 'Bearer pk_nope')).status).toBe(401);
    expect((await request(svc.url).get(configUrl('daily')).set('Authorization', `Bearer ${moderatorA}`)).status).toBe(403);
    expect((await request(svc.url).get(configUrl('daily')).set('Authorization', `Bearer ${adminB}`)).status).toBe(403);
    const put = await request(svc.url).put(configUrl('daily')).set('Authorization', `Bearer ${adminB}`).send(withMarketingText('Hijack.'));
    expect(put.status).toBe(403);
    expect((await request(svc.url).get(configUrl('nowhere')).set('Authorization', `Bearer ${adminA}`)).status).toBe(404);
  });

  it('when sites publish configurations, then each site sees only its own revisions', async () => {
    await request(svc.url).put(configUrl('weekly')).set('Authorization', `Bearer ${adminB}`).send(withMarketingText('Weekly text.'));
    const weekly = await request(svc.url).get(configUrl('weekly')).set('Authorization', `Bearer ${adminB}`);
    const daily = await request(svc.url).get(configUrl('daily')).set('Authorization', `Bearer ${adminA}`);
    expect(weekly.body.revision).toBe(2);
    expect(weekly.body.config.texts.en.description).toBe('Weekly text.');
    expect(daily.body.config.texts.en.description).not.toBe('Weekly text.');
  });

  it('when banner.js asks for the public configuration, then it gets the current revision with ETag, 304 and CORS for allowed origins', async () => {
    const res = await request(svc.url).get('/v1/sites/daily/consent/config').set('Origin', ORIGIN);
    expect(res.status).toBe(200);
    expect(res.headers['access-control-allow-origin']).toBe(ORIGIN);
    expect(res.body).toMatchObject({ site: 'daily', revision: expect.any(Number), categories: expect.any(Array) });
    const cached = await request(svc.url).get('/v1/sites/daily/consent/config').set('If-None-Match', res.headers.etag!);
    expect(cached.status).toBe(304);
    const foreign = await request(svc.url).get('/v1/sites/daily/consent/config').set('Origin', 'https://evil.example');
    expect(foreign.headers['access-control-allow-origin']).toBeUndefined();
    expect((await request(svc.url).get('/v1/sites/nowhere/consent/config')).status).toBe(404);
  });
});
