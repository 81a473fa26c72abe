import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { sql } from 'kysely';
import { eventually } from '@parley/shared/testing';
import { DEV_SECRETS_KEY } from '../src/config';
import { secretBox } from '../src/domain/webhook-secrets';
import { sealWebhookSecrets, verifyWebhook } from '../src/domain/webhooks';
import { buildSubmitted, modClient, startModeration, type ModerationHarness } from './support/moderation-harness';

let h: ModerationHarness;
let receiver: http.Server;
let receiverUrl: string;
/** What the local receiver got, and how it should answer the next calls. */
const received: { headers: http.IncomingHttpHeaders; body: string }[] = [];
let failuresToSend = 0;

beforeAll(async () => {
  h = await startModeration({ WEBHOOK_POLL_MS: '20', WEBHOOK_RETRY_BASE_MS: '50' });
  receiver = http.createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => (body += c));
    req.on('end', () => {
      received.push({ headers: req.headers, body });
      if (failuresToSend > 0) {
        failuresToSend -= 1;
        res.writeHead(503).end();
      } else res.writeHead(204).end();
    });
  });
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
  receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks/parley`;
});

afterAll(async () => {
  await h.close();
  await new Promise((r) => receiver.close(r));
});

describe('webhooks', () => {
  it('when a comment is held and then approved, then the receiver gets both, signed with the hook secret, and a failed call is retried', async () => {
    await h.siteWithModerator('hooked', { moderation: { mode: 'pre' } });
    const admin = modClient(h.svc.url, (await h.admin.createKey({ role: 'admin', sites: ['hooked'] })).body.secret, 'hooked');
    const created = await admin.createWebhook({ url: receiverUrl, events: ['held', 'approved'] });
    expect(created.status).toBe(201);
    const secret = created.body.secret as string;
    expect(secret).toMatch(/^whsec_/);
    expect((await admin.webhooks()).body.items).toEqual([expect.objectContaining({ url: receiverUrl, events: ['held', 'approved'], active: true })]);
    expect(JSON.stringify((await admin.webhooks()).body)).not.toContain(secret);
    // At rest the secret is sealed (AES-256-GCM under MODERATION_SECRETS_KEY): the row never holds it.
    const stored = await sql<{ secret: string }>`select secret from moderation.webhooks where id = ${created.body.id}`.execute(h.db);
    expect(stored.rows[0]!.secret).toMatch(/^sealed:v1:/);
    expect(stored.rows[0]!.secret).not.toContain(secret.slice('whsec_'.length));

    failuresToSend = 2;
    const e = buildSubmitted('hooked');
    await h.submit(e);
    const id = e.payload.commentId;
    const bodies = () => received.filter((r) => r.body.includes(id));
    await eventually(async () => bodies().length === 3, 10_000); // two 503s, then the delivery
    const [first, , delivered] = bodies();
    expect(first!.headers['parley-delivery']).toBe(delivered!.headers['parley-delivery']);

    await admin.decide(id, { action: 'approve', expectedState: 'held' });
    await eventually(async () => bodies().some((r) => JSON.parse(r.body).type === 'comment.approved'), 10_000);
    const now = Math.floor(Date.now() / 1000);
    for (const r of bodies()) {
      expect(verifyWebhook(secret, r.body, String(r.headers['parley-signature']), now)).toBe(true);
      expect(verifyWebhook('whsec_wrong', r.body, String(r.headers['parley-signature']), now)).toBe(false);
      expect(verifyWebhook(secret, `${r.body} `, String(r.headers['parley-signature']), now)).toBe(false);
    }
    const approved = JSON.parse(bodies().find((r) => r.headers['parley-event'] === 'approved')!.body);
    expect(approved).toMatchObject({ type: 'comment.approved', site: 'hooked', comment: { id, from: 'held', to: 'approved' } });
  });

  it('when a webhook was stored before secrets were sealed, then sealing (run at every start) seals it and its deliveries are still signed with its secret', async () => {
    await h.siteWithModerator('legacy', { moderation: { mode: 'pre' } });
    const secret = 'whsec_storedBeforeSealing0123456789abcd';
    const id = '01943c4e-8a00-7000-8000-00000000aaaa';
    await sql`insert into moderation.webhooks (id, site, url, secret, events, active, created_at)
              values (${id}, 'legacy', ${receiverUrl}, ${secret}, '["held"]'::jsonb, true, now())`.execute(h.db);

    expect(await sealWebhookSecrets(h.db, secretBox(DEV_SECRETS_KEY))).toEqual({ sealed: 1, unreadable: [] });
    const stored = await sql<{ secret: string }>`select secret from moderation.webhooks where id = ${id}`.execute(h.db);
    expect(stored.rows[0]!.secret).toMatch(/^sealed:v1:/);

    const e = buildSubmitted('legacy');
    await h.submit(e);
    const call = await eventually(async () => received.find((r) => r.body.includes(e.payload.commentId)), 10_000);
    expect(verifyWebhook(secret, call.body, String(call.headers['parley-signature']), Math.floor(Date.now() / 1000))).toBe(true);
  });

  it('when MODERATION_SECRETS_KEY is rotated, then a secret sealed under the old key is sealed again under the new one and its deliveries are still signed with it', async () => {
    await h.siteWithModerator('rotated', { moderation: { mode: 'pre' } });
    const secret = 'whsec_sealedUnderTheOldKey0123456789abcd';
    const oldKey = Buffer.alloc(32, 7);
    const id = '01943c4e-8a00-7000-8000-00000000bbbb';
    await sql`insert into moderation.webhooks (id, site, url, secret, events, active, created_at)
              values (${id}, 'rotated', ${receiverUrl}, ${secretBox(oldKey).seal(secret)}, '["held"]'::jsonb, true, now())`.execute(h.db);

    // The running service holds the new key (DEV_SECRETS_KEY) with the old one as previous, as at a restart.
    expect(await sealWebhookSecrets(h.db, secretBox(DEV_SECRETS_KEY, [oldKey]))).toEqual({ sealed: 1, unreadable: [] });
    const stored = await sql<{ secret: string }>`select secret from moderation.webhooks where id = ${id}`.execute(h.db);
    expect(secretBox(DEV_SECRETS_KEY).open(stored.rows[0]!.secret)).toBe(secret);
    expect(() => secretBox(oldKey).open(stored.rows[0]!.secret)).toThrow();

    const e = buildSubmitted('rotated');
    await h.submit(e);
    const call = await eventually(async () => received.find((r) => r.body.includes(e.payload.commentId)), 10_000);
    expect(verifyWebhook(secret, call.body, String(call.headers['parley-signature']), Math.floor(Date.now() / 1000))).toBe(true);
  });

  it('when a secret was sealed under a key the service does not hold, then sealing names that webhook and leaves its row as it is', async () => {
    await h.siteWithModerator('lost-key');
    const id = '01943c4e-8a00-7000-8000-00000000cccc';
    const sealedElsewhere = secretBox(Buffer.alloc(32, 9)).seal('whsec_nobodyHereCanOpenThis0123456789ab');
    await sql`insert into moderation.webhooks (id, site, url, secret, events, active, created_at)
              values (${id}, 'lost-key', ${receiverUrl}, ${sealedElsewhere}, '["held"]'::jsonb, false, now())`.execute(h.db);

    const outcome = await sealWebhookSecrets(h.db, secretBox(DEV_SECRETS_KEY));

    expect(outcome.unreadable).toContain(id);
    const stored = await sql<{ secret: string }>`select secret from moderation.webhooks where id = ${id}`.execute(h.db);
    expect(stored.rows[0]!.secret).toBe(sealedElsewhere);
  });

  it('when a signature is old, then a receiver refuses it (replay)', () => {
    const body = '{"x":1}';
    const header = `t=${1_000},v1=${'0'.repeat(64)}`;
    expect(verifyWebhook('s', body, header, 1_000 + 301)).toBe(false);
  });

  it('when a webhook is deleted, then it is gone; a moderator key may not manage webhooks', async () => {
    const key = await h.siteWithModerator('unhooked');
    const mod = modClient(h.svc.url, key, 'unhooked');
    expect((await mod.createWebhook({ url: receiverUrl, events: ['held'] })).status).toBe(403);
    const admin = modClient(h.svc.url, (await h.admin.createKey({ role: 'admin', sites: ['unhooked'] })).body.secret, 'unhooked');
    const w = await admin.createWebhook({ url: receiverUrl, events: ['rejected'] });
    expect((await admin.createWebhook({ url: 'ftp://nope', events: [] })).status).toBe(422);
    expect((await admin.deleteWebhook(w.body.id)).status).toBe(204);
    expect((await admin.deleteWebhook(w.body.id)).status).toBe(404);
    expect((await admin.webhooks()).body.items).toEqual([]);
  });
});
