import request from 'supertest';
import { Streams, sitesChangedV1, apiKeysChangedV1, type Envelope } from '@parley/shared';
import { eventually, startTestInfra, startTestService, type RunningTestService, type TestInfraHandle } from '@parley/shared/testing';
import { moderationQueue } from '../src/service';
import { BOOTSTRAP_KEY, adminClient } from './support/admin-client';

let infra: TestInfraHandle;
let svc: RunningTestService;
let admin: ReturnType<typeof adminClient>;

beforeAll(async () => {
  infra = await startTestInfra();
  svc = await startTestService(moderationQueue, infra, { BOOTSTRAP_ADMIN_KEY: BOOTSTRAP_KEY });
  admin = adminClient(svc.url, BOOTSTRAP_KEY);
});

afterAll(async () => {
  await svc.stop();
  await infra.close();
});

const site = (id: string, origins = [`https://${id}.example.org`]) => ({ id, name: `Site ${id}`, allowedOrigins: origins });

describe('sites', () => {
  it('when an admin creates a site, then it is returned with defaults and announced on sites.changed', async () => {
    const res = await admin.createSite(site('daily-news'));
    expect(res.status).toBe(201);
    expect(res.headers.location).toBe('/v1/admin/sites/daily-news');
    expect(res.body).toMatchObject({ id: 'daily-news', status: 'active', version: 1 });
    expect(res.body.settings.comments.maxLength).toBe(5000);
    expect(res.body.settings.moderation.mode).toBe('post');

    const seen: Envelope[] = [];
    const sub = infra.transport.subscribe({
      stream: Streams.sitesChanged,
      group: 'test-observer',
      consumer: 'c1',
      schema: sitesChangedV1,
      handler: async (d) => void seen.push(d.envelope),
    });
    await eventually(async () => seen.some((e) => e.site === 'daily-news'));
    await sub.stop();
  });

  it('when the id is taken, then 409 SITE_EXISTS', async () => {
    await admin.createSite(site('taken'));
    const res = await admin.createSite(site('taken'));
    expect(res.status).toBe(409);
    expect(res.body.code).toBe('SITE_EXISTS');
  });

  it('when fields are invalid, then 422 names each of them and nothing is created', async () => {
    const res = await admin.createSite({ id: 'Bad Id!', name: '', allowedOrigins: ['javascript:alert(1)', 'https://ok.example/path'] });
    expect(res.status).toBe(422);
    const paths = res.body.errors.map((e: { path: string }) => e.path);
    expect(paths).toEqual(expect.arrayContaining(['body.id', 'body.name', 'body.allowedOrigins.0', 'body.allowedOrigins.1']));
    expect((await admin.getSite('bad-id')).status).toBe(404);
  });

  it('when a site is updated, then settings merge field by field and the version grows', async () => {
    await admin.createSite(site('merge-me'));
    const res = await admin.updateSite('merge-me', { settings: { comments: { maxDepth: 1 } } });
    expect(res.status).toBe(200);
    expect(res.body.version).toBe(2);
    expect(res.body.settings.comments).toMatchObject({ maxDepth: 1, maxLength: 5000 });
    const bad = await admin.updateSite('merge-me', { settings: { comments: { maxDepth: 99 } } });
    expect(bad.status).toBe(422);
    expect(bad.body.errors[0].path).toBe('body.settings.comments.maxDepth');
  });

  it('when the body is not JSON, then 415 and when it is broken JSON, then 400', async () => {
    const form = await request(svc.url).post('/v1/admin/sites').set('Authorization', `Bearer ${BOOTSTRAP_KEY}`).type('form').send('id=x');
    expect(form.status).toBe(415);
    const broken = await request(svc.url)
      .post('/v1/admin/sites')
      .set('Authorization', `Bearer ${BOOTSTRAP_KEY}`)
      .set('content-type', 'application/json')
      .send('{"id":');
    expect(broken.status).toBe(400);
  });
});

describe('API keys and authentication', () => {
  it('when no key or an unknown key is sent, then 401 with a Bearer challenge', async () => {
    const none = await request(svc.url).get('/v1/admin/sites');
    expect(none.status).toBe(401);
    expect(none.headers['www-authenticate']).toBe('Bearer');
    const unknown = await adminClient(svc.url, 'pk_000000000000_00000000000000000000000000000000').listSites();
    expect(unknown.status).toBe(401);
    expect(unknown.body.code).toBe('UNAUTHENTICATED');
  });

  it('when a key is created, then its secret is shown once and only its hash is announced', async () => {
    await admin.createSite(site('keyed'));
    const res = await admin.createKey({ role: 'moderator', sites: ['keyed'], label: 'night shift' });
    expect(res.status).toBe(201);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.body.secret).toMatch(/^pk_[A-Za-z0-9]{12}_[A-Za-z0-9]{32}$/);
    const listed = await admin.listKeys();
    const item = listed.body.items.find((k: { id: string }) => k.id === res.body.id);
    expect(item).toMatchObject({ role: 'moderator', sites: ['keyed'], label: 'night shift', revokedAt: null });
    expect(JSON.stringify(listed.body)).not.toContain(res.body.secret);

    const announced: Envelope[] = [];
    const sub = infra.transport.subscribe({
      stream: Streams.apiKeysChanged,
      group: 'test-key-observer',
      consumer: 'c1',
      schema: apiKeysChangedV1,
      handler: async (d) => void announced.push(d.envelope),
    });
    const event = await eventually(async () => announced.find((e) => (e.payload as { key: { id: string } }).key.id === res.body.id));
    await sub.stop();
    expect(JSON.stringify(event)).not.toContain(res.body.secret);
  });

  it('when a moderator key calls the admin API, then 403; whoami still answers', async () => {
    await admin.createSite(site('mods'));
    const key = (await admin.createKey({ role: 'moderator', sites: ['mods'] })).body.secret as string;
    const mod = adminClient(svc.url, key);
    expect((await mod.listSites()).status).toBe(403);
    const me = await mod.whoami();
    expect(me.status).toBe(200);
    expect(me.body).toMatchObject({ role: 'moderator', sites: ['mods'] });
  });

  it('when a site-scoped admin acts, then it sees and manages only its own sites and keys', async () => {
    await admin.createSite(site('alpha'));
    await admin.createSite(site('beta'));
    const alphaAdmin = adminClient(svc.url, (await admin.createKey({ role: 'admin', sites: ['alpha'] })).body.secret);
    const betaKey = await admin.createKey({ role: 'moderator', sites: ['beta'] });

    const sites = (await alphaAdmin.listSites()).body.items.map((s: { id: string }) => s.id);
    expect(sites).toEqual(['alpha']);
    expect((await alphaAdmin.getSite('beta')).status).toBe(403);
    expect((await alphaAdmin.updateSite('beta', { name: 'pwned' })).status).toBe(403);
    expect((await alphaAdmin.createSite(site('gamma'))).status).toBe(403);
    expect((await alphaAdmin.createKey({ role: 'moderator', sites: ['beta'] })).status).toBe(403);
    expect((await alphaAdmin.createKey({ role: 'admin', sites: ['*'] })).status).toBe(403);
    expect((await alphaAdmin.revokeKey(betaKey.body.id)).status).toBe(404);
    const keys = (await alphaAdmin.listKeys()).body.items.map((k: { sites: string[] }) => k.sites);
    expect(keys.every((s: string[]) => s.every((x) => x === 'alpha'))).toBe(true);
    expect((await alphaAdmin.createKey({ role: 'moderator', sites: ['alpha'] })).status).toBe(201);
  });

  it('when a key is made for an unknown site, then 422 names the sites field', async () => {
    const res = await admin.createKey({ role: 'moderator', sites: ['no-such-site'] });
    expect(res.status).toBe(422);
    expect(res.body.errors[0]).toMatchObject({ path: 'body.sites' });
  });

  it('when a key is revoked, then it is refused at once and cannot be revoked twice', async () => {
    await admin.createSite(site('revocable'));
    const created = await admin.createKey({ role: 'admin', sites: ['revocable'] });
    const client = adminClient(svc.url, created.body.secret);
    expect((await client.listSites()).status).toBe(200);
    const revoked = await admin.revokeKey(created.body.id);
    expect(revoked.status).toBe(200);
    expect(revoked.body.revokedAt).toBeTruthy();
    expect((await client.listSites()).status).toBe(401);
    expect((await admin.revokeKey(created.body.id)).status).toBe(404);
  });
});

describe('operations', () => {
  it('when the service is up, then healthz, readyz and metrics answer', async () => {
    expect((await request(svc.url).get('/healthz')).body).toEqual({ status: 'ok' });
    const ready = await request(svc.url).get('/readyz');
    expect(ready.status).toBe(200);
    expect(ready.body.checks).toEqual({ database: 'ok', streams: 'ok', migrations: 'ok' });
    const metrics = await request(svc.url).get('/metrics');
    expect(metrics.text).toContain('http_request_duration_seconds');
    expect(metrics.text).toContain('outbox_backlog');
  });
});
