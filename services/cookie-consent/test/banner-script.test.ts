import { createHash } from 'node:crypto';
import request from 'supertest';
import { startTestInfra, startTestService, type RunningTestService, type TestInfraHandle } from '@parley/shared/testing';
import { cookieConsent } from '../src/service';
import { BANNER_GZIP_BUDGET } from '../src/banner/build-banner';

let infra: TestInfraHandle;
let svc: RunningTestService;

beforeAll(async () => {
  infra = await startTestInfra();
  svc = await startTestService(cookieConsent, infra);
});

afterAll(async () => {
  await svc.stop();
  await infra.close();
});

const raw = (res: request.Response, cb: (err: Error | null, body: Buffer) => void) => {
  const chunks: Buffer[] = [];
  res.on('data', (c: Buffer) => chunks.push(c));
  res.on('end', () => cb(null, Buffer.concat(chunks)));
};

describe('banner.js', () => {
  it('when the manifest is read, then it names the versioned URL, an SRI hash that matches and a size within budget', async () => {
    const manifest = await request(svc.url).get('/banner.manifest.json');
    expect(manifest.status).toBe(200);
    expect(manifest.body.gzipBytes).toBeLessThanOrEqual(BANNER_GZIP_BUDGET);
    const js = await request(svc.url).get(manifest.body.path).set('Accept-Encoding', 'identity').buffer(true).parse(raw);
    expect(js.status).toBe(200);
    expect(`sha384-${createHash('sha384').update(js.body as Buffer).digest('base64')}`).toBe(manifest.body.integrity);
    expect(js.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(js.headers['cross-origin-resource-policy']).toBe('cross-origin');
    expect(js.headers['content-type']).toMatch(/^text\/javascript/);
  });

  it('when the unversioned URL is fetched, then it is the same script with a short cache, gzip and ETag revalidation', async () => {
    const manifest = await request(svc.url).get('/banner.manifest.json');
    const res = await request(svc.url).get('/banner.js').set('Accept-Encoding', 'gzip').buffer(true).parse(raw);
    expect(res.headers['content-encoding']).toBe('gzip');
    expect(res.headers['cache-control']).toMatch(/max-age=300/);
    expect(res.headers['cross-origin-resource-policy']).toBe('cross-origin');
    // superagent inflates gzip before handing the body over.
    const code = res.body as Buffer;
    expect(`sha384-${createHash('sha384').update(code).digest('base64')}`).toBe(manifest.body.integrity);
    const again = await request(svc.url).get('/banner.js').set('If-None-Match', res.headers.etag!);
    expect(again.status).toBe(304);
  });

  it('when an unknown version is asked for, then 404 problem details', async () => {
    const res = await request(svc.url).get('/banner/0000000000000000.js');
    expect(res.status).toBe(404);
    expect(res.headers['content-type']).toMatch(/problem\+json/);
  });

  it('when the JWKS is fetched, then it holds one Ed25519 public key and no private part', async () => {
    const res = await request(svc.url).get('/.well-known/jwks.json');
    expect(res.body.keys).toHaveLength(1);
    expect(res.body.keys[0]).toMatchObject({ kty: 'OKP', crv: 'Ed25519', alg: 'EdDSA', kid: expect.any(String) });
    expect(res.body.keys[0].d).toBeUndefined();
  });
});

describe('openapi.json', () => {
  it('when the document is fetched, then it describes the public and admin consent routes', async () => {
    const res = await request(svc.url).get('/openapi.json');
    expect(res.status).toBe(200);
    expect(res.body.openapi).toBe('3.1.0');
    expect(Object.keys(res.body.paths)).toEqual(
      expect.arrayContaining(['/v1/consents', '/v1/sites/{site}/consent/config', '/v1/sites/{site}/consents/{consentId}', '/v1/admin/sites/{site}/consent/chain/verify', '/v1/admin/sites/{site}/consent/records/export']),
    );
  });
});
