import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { sql } from 'kysely';
import { silentLogger } from '@parley/shared';
import { eventually } from '@parley/shared/testing';
import { DEV_SECRETS_KEY } from '../src/config';
import { secretBox } from '../src/domain/webhook-secrets';
import { WebhookDispatcher } from '../src/jobs/webhook-dispatcher.job';
import { claimDueDeliveries, enqueueWebhookDeliveries } from '../src/repositories/webhook.repository';
import { modClient, startModeration, type ModerationHarness } from './support/moderation-harness';

let h: ModerationHarness;
let receiver: http.Server;
let receiverUrl: string;
/** Every call the local receiver got, by `Parley-Delivery` id. */
const calls: string[] = [];
/** How the receiver answers a call (after reading its body). */
let answer: (delivery: string) => Promise<number> = async () => 204;

beforeAll(async () => {
  h = await startModeration({ WEBHOOK_POLL_MS: '20', WEBHOOK_RETRY_BASE_MS: '50' });
  receiver = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      const delivery = String(req.headers['parley-delivery']);
      calls.push(delivery);
      void answer(delivery).then((status) => res.writeHead(status).end());
    });
  });
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
  receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks/parley`;
});

afterAll(async () => {
  await h.close();
  receiver.closeAllConnections();
  await new Promise((r) => receiver.close(r));
});

/** A site with a webhook on `held` pointing at the receiver. */
async function hookedSite(site: string): Promise<void> {
  await h.siteWithModerator(site);
  const admin = modClient(h.svc.url, (await h.admin.createKey({ role: 'admin', sites: [site] })).body.secret, site);
  expect((await admin.createWebhook({ url: receiverUrl, events: ['held'] })).status).toBe(201);
}

const deliveriesOf = (site: string) =>
  h.db.withSchema('moderation').selectFrom('webhook_deliveries').select(['id', 'attempts', 'delivered_at']).where('site', '=', site).execute();

function dispatcher(): WebhookDispatcher {
  return new WebhookDispatcher({ db: h.db, secrets: secretBox(DEV_SECRETS_KEY), logger: silentLogger, idleMs: 20, retryBaseMs: 50, maxAttempts: 3, timeoutMs: 5_000, batchSize: 7 });
}

/** Rounds until nothing is due; how many deliveries this dispatcher attempted. */
async function drain(d: WebhookDispatcher): Promise<number> {
  let total = 0;
  for (let n = await d.flushOnce(); n > 0; n = await d.flushOnce()) total += n;
  return total;
}

describe('the webhook dispatcher', () => {
  it('when two dispatchers (and the service’s own) work the same deliveries at once, then every delivery reaches the receiver exactly once', async () => {
    await hookedSite('busy-hooks');
    const now = new Date();
    await h.db.transaction().execute(async (trx) => {
      for (let i = 0; i < 60; i++) await enqueueWebhookDeliveries(trx, 'busy-hooks', 'held', JSON.stringify({ n: i }), now);
    });
    const ids = (await deliveriesOf('busy-hooks')).map((d) => d.id);
    expect(ids).toHaveLength(60);
    // Slow answers keep both dispatchers' calls (and the service's own) in flight together.
    answer = () => new Promise((r) => setTimeout(() => r(204), 20));

    const [a, b] = await Promise.all([drain(dispatcher()), drain(dispatcher())]);
    await eventually(async () => (await deliveriesOf('busy-hooks')).every((d) => d.delivered_at !== null), 20_000);

    const mine = calls.filter((c) => ids.includes(c));
    expect(mine.sort()).toEqual([...ids].sort()); // each once: none lost, none twice
    expect((await deliveriesOf('busy-hooks')).map((d) => d.attempts)).toEqual(ids.map(() => 1));
    expect(a).toBeGreaterThan(0);
    expect(b).toBeGreaterThan(0);
    answer = async () => 204;
  });

  it('when a receiver takes its time, then the delivery is not held locked in an open transaction meanwhile', async () => {
    await hookedSite('slow-hooks');
    let release!: () => void;
    const released = new Promise<number>((r) => (release = () => r(204)));
    answer = () => released;
    await enqueueWebhookDeliveries(h.db, 'slow-hooks', 'held', '{"slow":true}', new Date());
    const [delivery] = await deliveriesOf('slow-hooks');
    await eventually(async () => calls.includes(delivery!.id)); // the service's dispatcher is calling

    // Another session can lock the row at once: no dispatcher transaction holds it during the call.
    const locked = await h.db.transaction().execute(async (trx) =>
      sql<{ id: string }>`select id from moderation.webhook_deliveries where id = ${delivery!.id} for update nowait`.execute(trx),
    );
    expect(locked.rows).toEqual([{ id: delivery!.id }]);
    // And no other dispatcher takes it up while the call is still open.
    expect(await claimDueDeliveries(h.db, new Date(), 100, 60_000)).toEqual([]);

    release();
    await eventually(async () => (await deliveriesOf('slow-hooks'))[0]!.delivered_at !== null);
    expect(calls.filter((c) => c === delivery!.id)).toHaveLength(1);
    answer = async () => 204;
  });

  it('when a dispatcher dies after claiming a delivery, then the delivery is sent once its lease has run out', async () => {
    await hookedSite('orphan-hooks');
    // Enqueued and claimed in one transaction, then never called or recorded: a dispatcher that died.
    const claimed = await h.db.transaction().execute(async (trx) => {
      const now = new Date();
      await enqueueWebhookDeliveries(trx, 'orphan-hooks', 'held', '{"orphan":true}', now);
      return claimDueDeliveries(trx, now, 100, 300);
    });
    const orphan = claimed.find((d) => d.body === '{"orphan":true}')!;
    expect(orphan.attempts).toBe(1);

    await eventually(async () => (await deliveriesOf('orphan-hooks'))[0]!.delivered_at !== null, 10_000);
    expect(calls.filter((c) => c === orphan.id)).toHaveLength(1);
    expect((await deliveriesOf('orphan-hooks'))[0]!.attempts).toBe(2); // the lost attempt counts
  });
});
