import request from 'supertest';
import { randomUUID } from 'node:crypto';
import { eventually, startTestInfra, startTestService, type RunningTestService, type TestInfraHandle } from '@parley/shared/testing';
import { moderationQueue } from '@parley/moderation-queue';
import { cookieConsent } from '@parley/cookie-consent';

const BOOTSTRAP_KEY = 'pk_bootstrapCc1_abcdefghijklmnopqrstuvwxyz012345';
const ORIGIN = 'https://gazette.example.org';

let infra: TestInfraHandle;
let moderation: RunningTestService;
let consent: RunningTestService;

beforeAll(async () => {
  infra = await startTestInfra();
  moderation = await startTestService(moderationQueue, infra, { BOOTSTRAP_ADMIN_KEY: BOOTSTRAP_KEY });
  consent = await startTestService(cookieConsent, infra);
});

afterAll(async () => {
  await consent?.stop();
  await moderation?.stop();
  await infra?.close();
});

describe('cookie-consent with moderation-queue', () => {
  it('when an operator creates a site and a key on moderation-queue, then cookie-consent accepts both and the proof holds', async () => {
    const op = (path: string) => request(moderation.url).post(path).set('Authorization', `Bearer ${BOOTSTRAP_KEY}`);
    expect((await op('/v1/admin/sites').send({ id: 'gazette', name: 'The Gazette', allowedOrigins: [ORIGIN] })).status).toBe(201);
    const key = await op('/v1/admin/keys').send({ role: 'admin', sites: ['gazette'] });
    expect(key.status).toBe(201);
    const admin = (path: string) => request(consent.url).get(path).set('Authorization', `Bearer ${key.body.secret}`);

    // The key and the site reach cookie-consent's read model through sites.changed / api-keys.changed.
    await eventually(async () => (await admin('/v1/whoami')).status === 200, 10_000);
    await eventually(async () => (await request(consent.url).get('/v1/sites/gazette/consent/config')).status === 200, 10_000);

    const consentId = randomUUID();
    const write = await request(consent.url)
      .post('/v1/consents')
      .set('Origin', ORIGIN)
      .set('Idempotency-Key', `e2e-${consentId}`)
      .send({ site: 'gazette', consentId, revision: 1, action: 'reject_all', accepted: [], rejected: [], language: 'en', pageUrl: `${ORIGIN}/news` });
    expect(write.status).toBe(201);
    const history = await admin(`/v1/admin/sites/gazette/consent/records/by-consent/${consentId}`);
    expect(history.body.items[0].record).toMatchObject({ action: 'reject_all', accepted: ['necessary'] });
    expect((await admin('/v1/admin/sites/gazette/consent/chain/verify')).body).toMatchObject({ intact: true, checked: 1 });

    // Revoking the key on moderation-queue shuts it out of cookie-consent too.
    const revoke = await request(moderation.url).delete(`/v1/admin/keys/${key.body.id}`).set('Authorization', `Bearer ${BOOTSTRAP_KEY}`);
    expect(revoke.status).toBe(200);
    await eventually(async () => (await admin('/v1/admin/sites/gazette/consent/config')).status === 401, 10_000);
  });
});
