import request from 'supertest';
import { sql, type Kysely } from 'kysely';
import { Streams, makeEnvelope } from '@parley/shared';
import { eventually, startTestInfra, startTestService, type RunningTestService, type TestInfraHandle } from '@parley/shared/testing';
import { cookieConsent } from '../src/service';
import type { ConsentDb } from '../src/db/tables';
import { enforceRetention } from '../src/domain/enforce-retention';
import { buildConsentBody } from './support/consents';
import { announceKey, announceSite } from './support/tenancy';

let infra: TestInfraHandle;
let svc: RunningTestService;
let admin: string;
let otherAdmin: string;
const ORIGIN = 'https://daily.example.org';

beforeAll(async () => {
  infra = await startTestInfra();
  svc = await startTestService(cookieConsent, infra);
  await announceSite(infra, 'daily', [ORIGIN]);
  await announceSite(infra, 'weekly', ['https://weekly.example.org']);
  [admin, otherAdmin] = await Promise.all([announceKey(infra, 'admin', ['daily']), announceKey(infra, 'admin', ['weekly'])]);
  await request(svc.url).get('/v1/sites/daily/consent/config');
});

afterAll(async () => {
  await svc.stop();
  await infra.close();
});

const post = (overrides = {}) => request(svc.url).post('/v1/consents').set('Origin', ORIGIN).send(buildConsentBody('daily', ORIGIN, overrides));
const stats = (key = admin, site = 'daily') => request(svc.url).get(`/v1/admin/sites/${site}/consent/stats/daily`).set('Authorization', `Bearer ${key}`);

describe('acceptance statistics', () => {
  it('when consents are recorded, then per-category acceptance per day follows from consent.recorded', async () => {
    await post({ action: 'accept_all', accepted: ['necessary', 'functional', 'analytics', 'marketing'], rejected: [] });
    await post({ action: 'reject_all', accepted: [], rejected: [] });
    await post({ action: 'gpc', accepted: ['necessary', 'functional', 'analytics'], rejected: ['marketing'], gpc: true });
    const today = new Date().toISOString().slice(0, 10);
    const body = await eventually(async () => {
      const res = await stats();
      const records = res.body.actions.reduce((n: number, a: { records: number }) => n + a.records, 0);
      return records === 3 ? res.body : undefined;
    }, 15_000);
    const analytics = body.categories.find((c: { category: string; day: string }) => c.category === 'analytics' && c.day === today);
    expect(analytics).toEqual({ day: today, category: 'analytics', accepted: 2, rejected: 1, acceptanceRate: 0.6667 });
    expect(body.actions).toEqual(
      expect.arrayContaining([
        { day: today, action: 'gpc', records: 1, gpc: 1 },
        { day: today, action: 'reject_all', records: 1, gpc: 0 },
      ]),
    );
    const other = await stats(otherAdmin, 'weekly');
    expect(other.body.categories).toEqual([]);
    expect((await stats(otherAdmin, 'daily')).status).toBe(403);
    expect((await request(svc.url).get('/v1/admin/sites/daily/consent/stats/daily?from=soon').set('Authorization', `Bearer ${admin}`)).status).toBe(400);
  });

  it('when a malformed consent.recorded message arrives, then it is dead-lettered and later events still count', async () => {
    await infra.transport.publish(Streams.consentRecorded, makeEnvelope(Streams.consentRecorded, 1, 'daily', { recordId: 'nope' }));
    await eventually(async () => (await infra.transport.readDeadLetters(Streams.consentRecorded)).length > 0, 15_000);
    const before = (await stats()).body.actions.reduce((n: number, a: { records: number }) => n + a.records, 0);
    await post();
    await eventually(async () => (await stats()).body.actions.reduce((n: number, a: { records: number }) => n + a.records, 0) === before + 1, 15_000);
  });
});

describe('retention', () => {
  it('when records are older than the window, then the job deletes them and the rest of the chain still verifies', async () => {
    const old = await post();
    await post();
    const db = infra.db.db as Kysely<ConsentDb>;
    await db.transaction().execute(async (trx) => {
      await sql`set local session_replication_role = replica`.execute(trx);
      await sql`update consent.records set recorded_at = now() - interval '400 days' where seq <= (select seq from consent.records where id = ${old.body.recordId}) and site = 'daily'`.execute(trx);
    });
    const deleted = await enforceRetention(db, 365);
    expect(deleted.records).toBeGreaterThanOrEqual(1);
    const gone = await sql`select 1 from consent.records where id = ${old.body.recordId}`.execute(db);
    expect(gone.rows).toHaveLength(0);
    const verify = await request(svc.url).get('/v1/admin/sites/daily/consent/chain/verify').set('Authorization', `Bearer ${admin}`);
    expect(verify.body).toMatchObject({ intact: true, firstBreak: null });
    expect(verify.body.checked).toBeGreaterThanOrEqual(1);
  });
});
