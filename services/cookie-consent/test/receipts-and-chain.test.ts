import { createPublicKey, randomUUID, verify } from 'node:crypto';
import request from 'supertest';
import { sql } from 'kysely';
import { startTestInfra, startTestService, type RunningTestService, type TestInfraHandle } from '@parley/shared/testing';
import { cookieConsent } from '../src/service';
import { buildConsentBody } from './support/consents';
import { announceKey, announceSite } from './support/tenancy';

let infra: TestInfraHandle;
let svc: RunningTestService;
let adminA: string;
let adminB: string;
const ORIGIN = 'https://daily.example.org';

beforeAll(async () => {
  infra = await startTestInfra();
  svc = await startTestService(cookieConsent, infra);
  await announceSite(infra, 'daily', [ORIGIN]);
  await announceSite(infra, 'weekly', ['https://weekly.example.org']);
  [adminA, adminB] = await Promise.all([announceKey(infra, 'admin', ['daily']), announceKey(infra, 'admin', ['weekly'])]);
  await request(svc.url).get('/v1/sites/daily/consent/config');
});

afterAll(async () => {
  await svc.stop();
  await infra.close();
});

const record = async (overrides = {}) => {
  const body = buildConsentBody('daily', ORIGIN, overrides);
  const res = await request(svc.url).post('/v1/consents').set('Origin', ORIGIN).send(body);
  expect(res.status).toBe(201);
  return res.body as { recordId: string; consentId: string; receipt: string };
};
const verifyChain = (query = '', key = adminA) =>
  request(svc.url).get(`/v1/admin/sites/daily/consent/chain/verify${query}`).set('Authorization', `Bearer ${key}`);

/** Tampers as an attacker with database access would: around the append-only trigger. */
async function editRecord(recordId: string, accepted: string[]): Promise<void> {
  await infra.db.db.transaction().execute(async (trx) => {
    await sql`set local session_replication_role = replica`.execute(trx);
    await sql`update consent.records set accepted = ${JSON.stringify(accepted)}::jsonb where id = ${recordId}`.execute(trx);
  });
}

describe('receipts', () => {
  it('when a receipt is checked against the published JWKS, then the signature holds and the claims match the record', async () => {
    const { receipt, recordId, consentId } = await record();
    const jwks = await request(svc.url).get('/.well-known/jwks.json');
    expect(jwks.status).toBe(200);
    const [h, p, s] = receipt.split('.') as [string, string, string];
    const header = JSON.parse(Buffer.from(h, 'base64url').toString());
    expect(header.alg).toBe('EdDSA');
    const jwk = jwks.body.keys.find((k: { kid: string }) => k.kid === header.kid);
    expect(jwk).toBeDefined();
    const key = createPublicKey({ key: jwk, format: 'jwk' });
    expect(verify(null, Buffer.from(`${h}.${p}`), key, Buffer.from(s, 'base64url'))).toBe(true);
    const claims = JSON.parse(Buffer.from(p, 'base64url').toString());
    expect(claims).toMatchObject({ sub: consentId, jti: recordId, site: 'daily', rev: 1, acc: ['necessary', 'functional'], hash: expect.stringMatching(/^[0-9a-f]{64}$/) });
    const forged = Buffer.from(JSON.stringify({ ...claims, acc: ['necessary', 'marketing'] })).toString('base64url');
    expect(verify(null, Buffer.from(`${h}.${forged}`), key, Buffer.from(s, 'base64url'))).toBe(false);
  });
});

describe('hash chain', () => {
  it('when nothing was touched, then the chain over a range verifies intact', async () => {
    const since = new Date(Date.now() - 60_000).toISOString();
    for (let i = 0; i < 5; i++) await record();
    const res = await verifyChain(`?from=${encodeURIComponent(since)}`);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ site: 'daily', intact: true, firstBreak: null });
    expect(res.body.checked).toBeGreaterThanOrEqual(5);
  });

  it('when many visitors choose at once, then every write gets its own record and the chain stays contiguous', async () => {
    const since = new Date().toISOString();
    const bodies = Array.from({ length: 40 }, () => buildConsentBody('daily', ORIGIN));
    const results = await Promise.all(bodies.map((b, i) => request(svc.url).post('/v1/consents').set('Origin', ORIGIN).set('Idempotency-Key', `burst-${i}-${b.consentId}`).send(b)));
    expect(results.map((r) => r.status)).toEqual(bodies.map(() => 201));
    expect(new Set(results.map((r) => r.body.recordId)).size).toBe(40);
    const res = await verifyChain(`?from=${encodeURIComponent(since)}`);
    expect(res.body).toMatchObject({ intact: true, checked: 40 });
  });

  it('when a stored record is edited, then verification reports that record as the first break', async () => {
    await record();
    const victim = await record();
    await record();
    await editRecord(victim.recordId, ['necessary', 'functional', 'analytics', 'marketing']);
    const res = await verifyChain();
    expect(res.body.intact).toBe(false);
    expect(res.body.firstBreak).toMatchObject({ recordId: victim.recordId, reason: 'hash_mismatch' });
    const outside = await verifyChain(`?to=${encodeURIComponent(new Date(Date.now() - 3_600_000).toISOString())}`);
    expect(outside.body).toMatchObject({ intact: true, checked: 0 });
  });

  it('when the range is malformed, then 400 and never 5xx; another site’s admin is refused', async () => {
    expect((await verifyChain('?from=yesterday')).status).toBe(400);
    expect((await verifyChain('?from=2026-02-01&to=2026-01-01')).status).toBe(400);
    expect((await verifyChain('', adminB)).status).toBe(403);
    const weekly = await request(svc.url).get('/v1/admin/sites/weekly/consent/chain/verify').set('Authorization', `Bearer ${adminB}`);
    expect(weekly.body).toMatchObject({ site: 'weekly', intact: true, checked: 0 });
  });
});

describe('history and export', () => {
  it('when an admin looks up one consent id, then every choice comes back in order with the text shown', async () => {
    const first = await record({ action: 'accept_all', accepted: ['necessary', 'functional', 'analytics', 'marketing'], rejected: [] });
    await record({ consentId: first.consentId, action: 'withdraw', accepted: ['necessary'], rejected: ['functional', 'analytics', 'marketing'] });
    const res = await request(svc.url).get(`/v1/admin/sites/daily/consent/records/by-consent/${first.consentId}`).set('Authorization', `Bearer ${adminA}`);
    expect(res.status).toBe(200);
    expect(res.body.items.map((i: { record: { action: string } }) => i.record.action)).toEqual(['accept_all', 'withdraw']);
    expect(res.body.items[0].shown).toMatchObject({ revision: 1, language: 'en', texts: { acceptAll: 'Accept all' } });
    const other = await request(svc.url).get(`/v1/admin/sites/weekly/consent/records/by-consent/${first.consentId}`).set('Authorization', `Bearer ${adminB}`);
    expect(other.status).toBe(404);
    const bad = await request(svc.url).get('/v1/admin/sites/daily/consent/records/by-consent/nope').set('Authorization', `Bearer ${adminA}`);
    expect(bad.status).toBe(400);
  });

  it('when a visitor asks for their own consent id, then they get each choice, the text shown and the very receipts they were given, without network data', async () => {
    const first = await record({ action: 'accept_all', accepted: ['necessary', 'functional', 'analytics', 'marketing'], rejected: [] });
    const second = await record({ consentId: first.consentId, action: 'withdraw', accepted: ['necessary'], rejected: ['functional', 'analytics', 'marketing'] });
    const res = await request(svc.url).get(`/v1/sites/daily/consents/${first.consentId}`).set('Origin', ORIGIN);

    expect(res.status).toBe(200);
    expect(res.headers['cache-control']).toBe('private, no-store');
    expect(res.headers['access-control-allow-origin']).toBe(ORIGIN);
    expect(res.body).toMatchObject({ consentId: first.consentId, site: 'daily' });
    expect(res.body.records.map((r: { action: string }) => r.action)).toEqual(['accept_all', 'withdraw']);
    expect(res.body.records.map((r: { receipt: string }) => r.receipt)).toEqual([first.receipt, second.receipt]);
    expect(res.body.records[1]).toMatchObject({ id: second.recordId, accepted: ['necessary'], shown: { language: 'en', texts: { acceptAll: 'Accept all' } } });
    expect(JSON.stringify(res.body)).not.toMatch(/ipHash|ipPrefix|userAgent/);
  });

  it('when the consent id is unknown, belongs to another site or is not a UUID, then 404, 404 and 400', async () => {
    const { consentId } = await record();
    expect((await request(svc.url).get(`/v1/sites/daily/consents/${randomUUID()}`)).status).toBe(404);
    const other = await request(svc.url).get(`/v1/sites/weekly/consents/${consentId}`);
    expect(other.status).toBe(404);
    const bad = await request(svc.url).get('/v1/sites/daily/consents/nope');
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ code: expect.any(String), errors: [{ path: 'params.consentId' }] });
  });

  it('when an admin exports a range, then NDJSON and CSV stream every record of that site only', async () => {
    const from = new Date(Date.now() - 1000).toISOString();
    const mine = [await record(), await record()];
    const to = new Date(Date.now() + 1000).toISOString();
    const base = `/v1/admin/sites/daily/consent/records/export?from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}`;
    const nd = await request(svc.url).get(base).set('Authorization', `Bearer ${adminA}`).buffer(true).parse((res, cb) => {
      let text = '';
      res.on('data', (c: Buffer) => (text += c.toString()));
      res.on('end', () => cb(null, text));
    });
    expect(nd.status).toBe(200);
    expect(nd.headers['content-type']).toMatch(/application\/x-ndjson/);
    const lines = (nd.body as string).trim().split('\n').map((l) => JSON.parse(l));
    expect(lines.map((l) => l.id)).toEqual(expect.arrayContaining(mine.map((m) => m.recordId)));
    expect(lines.every((l) => l.site === 'daily')).toBe(true);
    const csv = await request(svc.url).get(`${base}&format=csv`).set('Authorization', `Bearer ${adminA}`);
    expect(csv.headers['content-type']).toMatch(/text\/csv/);
    const rows = csv.text.trim().split('\r\n');
    expect(rows[0]).toMatch(/^id,seq,recordedAt,consentId/);
    expect(rows).toHaveLength(lines.length + 1);
    const denied = await request(svc.url).get(base).set('Authorization', `Bearer ${adminB}`);
    expect(denied.status).toBe(403);
  });
});

describe('signing key rotation', () => {
  it('when the signing key is replaced, then new receipts use the new key and receipts signed before still verify from the JWKS', async () => {
    const before = await record();
    const rotated = await startTestService(cookieConsent, infra, { CONSENT_SIGNING_KEY: 'ab'.repeat(32) });
    try {
      const after = await request(rotated.url).post('/v1/consents').set('Origin', ORIGIN).send(buildConsentBody('daily', ORIGIN));
      expect(after.status).toBe(201);
      const kidOf = (jws: string) => JSON.parse(Buffer.from(jws.split('.')[0]!, 'base64url').toString()).kid as string;
      expect(kidOf(after.body.receipt)).not.toBe(kidOf(before.receipt));
      const jwks = (await request(rotated.url).get('/.well-known/jwks.json')).body as { keys: { kid: string }[] };
      expect(jwks.keys[0]!.kid).toBe(kidOf(after.body.receipt)); // the current key first
      for (const receipt of [before.receipt, after.body.receipt as string]) {
        const [h, p, s] = receipt.split('.') as [string, string, string];
        const jwk = jwks.keys.find((k) => k.kid === kidOf(receipt));
        expect(jwk).toBeDefined();
        expect(verify(null, Buffer.from(`${h}.${p}`), createPublicKey({ key: jwk as never, format: 'jwk' }), Buffer.from(s, 'base64url'))).toBe(true);
      }
    } finally {
      await rotated.stop();
    }
  });
});
