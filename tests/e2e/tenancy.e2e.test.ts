/**
 * Tenancy end to end over real Redis and Postgres: a site and a key made through moderation-queue's
 * API reach comment-intake and cookie-consent through the streams, and a revocation follows.
 */
import request from 'supertest';
import { commentIntake } from '@parley/comment-intake';
import { cookieConsent } from '@parley/cookie-consent';
import { moderationQueue } from '@parley/moderation-queue';
import { eventually, startTestInfra, startTestService, type RunningTestService, type TestInfraHandle } from '@parley/shared/testing';

const BOOTSTRAP = 'pk_tenancyBoot1_0123456789abcdefghijklmnopqrstuv';

let infra: TestInfraHandle;
let moderation: RunningTestService;
let intake: RunningTestService;
let consent: RunningTestService;

beforeAll(async () => {
  infra = await startTestInfra({ transport: 'redis' });
  moderation = await startTestService(moderationQueue, infra, { BOOTSTRAP_ADMIN_KEY: BOOTSTRAP });
  intake = await startTestService(commentIntake, infra);
  consent = await startTestService(cookieConsent, infra);
});

afterAll(async () => {
  await Promise.all([moderation?.stop(), intake?.stop(), consent?.stop()]);
  await infra.close();
});

const admin = () => ({ Authorization: `Bearer ${BOOTSTRAP}` });
const whoami = (url: string, key: string) => request(url).get('/v1/whoami').set('Authorization', `Bearer ${key}`);
const preflight = (url: string, site: string, origin: string) =>
  request(url).options(`/v1/sites/${site}/anything`).set('Origin', origin).set('Access-Control-Request-Method', 'POST');

describe('tenancy across services', () => {
  it('when a site and a key are created, then the other services accept them; when revoked, they refuse within a second', async () => {
    const origin = 'https://ledger.example.org';
    expect((await request(moderation.url).post('/v1/admin/sites').set(admin()).send({ id: 'ledger', name: 'The Ledger', allowedOrigins: [origin] })).status).toBe(201);
    expect((await request(moderation.url).post('/v1/admin/sites').set(admin()).send({ id: 'other', name: 'Other', allowedOrigins: ['https://other.example'] })).status).toBe(201);
    const key = await request(moderation.url).post('/v1/admin/keys').set(admin()).send({ role: 'moderator', sites: ['ledger'] });
    expect(key.status).toBe(201);
    const secret = key.body.secret as string;

    for (const svc of [intake, consent]) {
      const me = await eventually(async () => {
        const r = await whoami(svc.url, secret);
        return r.status === 200 ? r.body : undefined;
      });
      expect(me).toEqual({ keyId: key.body.id, role: 'moderator', sites: ['ledger'] });

      const allowed = await eventually(async () => {
        const r = await preflight(svc.url, 'ledger', origin);
        return r.status === 204 ? r : undefined;
      });
      expect(allowed.headers['access-control-allow-origin']).toBe(origin);
      const foreign = await preflight(svc.url, 'ledger', 'https://evil.example');
      expect(foreign.status).toBe(403);
      expect(foreign.body.code).toBe('ORIGIN_NOT_ALLOWED');
      expect(foreign.headers['access-control-allow-origin']).toBeUndefined();
      expect((await preflight(svc.url, 'ledger', 'null')).status).toBe(403);
      // Another site's origin is not this site's.
      expect((await preflight(svc.url, 'ledger', 'https://other.example')).status).toBe(403);
    }

    const settings = await request(intake.url).get('/v1/sites/ledger/settings').set('Origin', origin);
    expect(settings.status).toBe(200);
    expect(settings.headers['access-control-allow-origin']).toBe(origin);
    expect(settings.body.comments.maxDepth).toBe(3);

    expect((await request(moderation.url).delete(`/v1/admin/keys/${key.body.id}`).set(admin())).status).toBe(200);
    for (const svc of [intake, consent]) {
      await eventually(async () => (await whoami(svc.url, secret)).status === 401, 1000, 10);
    }
  });

  it('when a site changes its origins, then the services follow', async () => {
    await request(moderation.url).post('/v1/admin/sites').set(admin()).send({ id: 'movers', name: 'Movers', allowedOrigins: ['https://old.example'] });
    await eventually(async () => (await preflight(intake.url, 'movers', 'https://old.example')).status === 204);
    await request(moderation.url).patch('/v1/admin/sites/movers').set(admin()).send({ allowedOrigins: ['https://new.example'] });
    for (const svc of [intake, consent]) {
      await eventually(async () => (await preflight(svc.url, 'movers', 'https://new.example')).status === 204);
      expect((await preflight(svc.url, 'movers', 'https://old.example')).status).toBe(403);
    }
  });

  it('when a site is unknown, then the services answer 404 SITE_NOT_FOUND', async () => {
    const r = await request(intake.url).get('/v1/sites/nowhere/settings');
    expect(r.status).toBe(404);
    expect(r.body.code).toBe('SITE_NOT_FOUND');
  });
});

describe('metrics', () => {
  it('when /metrics is scraped, then the lag of every consumed stream is there', async () => {
    const text = (await request(intake.url).get('/metrics')).text;
    expect(text).toMatch(/stream_consumer_lag\{[^}]*stream="sites.changed"[^}]*group="comment-intake"[^}]*\} \d+/);
    expect(text).toMatch(/stream_consumer_pending\{[^}]*stream="comments.status-changed"/);
    expect((await request(consent.url).get('/metrics')).text).toMatch(/stream_consumer_lag\{[^}]*stream="consent.recorded"/);
  });
});
