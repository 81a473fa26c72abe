import request from 'supertest';
import { sql, type Kysely } from 'kysely';
import { AppError, Streams, createDatabase, silentLogger, type DatabaseHandle } from '@parley/shared';
import { publishedEnvelopes, startTestInfra, startTestService, type RunningTestService, type TestInfraHandle } from '@parley/shared/testing';
import { cookieConsent } from '../src/service';
import type { ConsentDb } from '../src/db/tables';
import { ChainAppender } from '../src/domain/chain-appender';
import type { UseCaseContext } from '../src/domain/context';
import { createReceiptSigner } from '../src/domain/receipt-signer';
import { recordConsent } from '../src/domain/record-consent';
import { DEV_IP_HASH_KEY, DEV_SIGNING_KEY } from '../src/config';
import { buildConsentBody } from './support/consents';
import { startTcpProxy } from './support/tcp-proxy';
import { announceKey, announceSite } from './support/tenancy';

/**
 * Group commit per chain, seen from outside: several independent appenders (as several instances
 * would run) on one database, idempotency within one batch, and a database that goes away.
 */
let infra: TestInfraHandle;
let svc: RunningTestService;
let admin: string;
const ORIGIN = 'https://daily.example.org';
const signer = createReceiptSigner(DEV_SIGNING_KEY);
const handles: DatabaseHandle<unknown>[] = [];

beforeAll(async () => {
  infra = await startTestInfra();
  svc = await startTestService(cookieConsent, infra);
  await announceSite(infra, 'daily', [ORIGIN]);
  admin = await announceKey(infra, 'admin', ['daily']);
  await request(svc.url).get('/v1/sites/daily/consent/config'); // revision 1
});

afterAll(async () => {
  await Promise.all(handles.map((h) => h.close()));
  await svc.stop();
  await infra.close();
});

/** An appender with its own pool and its own memory of the chain heads: another instance, in effect. */
async function instance(options: { maxBatch?: number } = {}): Promise<{ ctx: UseCaseContext; handle: DatabaseHandle<unknown> }> {
  const handle = await createDatabase({ databaseUrl: infra.databaseUrl, logger: silentLogger });
  handles.push(handle);
  const db = handle.db as Kysely<ConsentDb>;
  const chain = new ChainAppender({ db, signer, afterCommit: () => undefined, ...options });
  return { ctx: { db, signer, chain, afterCommit: () => undefined, ipHashKey: Buffer.from(DEV_IP_HASH_KEY, 'hex') }, handle };
}

const write = (ctx: UseCaseContext, body: object, idempotencyKey?: string) =>
  recordConsent(ctx, { site: 'daily', body, origin: ORIGIN, idempotencyKey, ip: '203.0.113.7', userAgent: 'Firefox/128.0', gpcHeader: false });

/**
 * Events written for a consent id: the service's relay publishes and deletes outbox rows (even those
 * of these test appenders, which share its database), so they are in the outbox or in the stream.
 * The outbox is read first: a row gone by then was published before it went.
 */
const eventsOf = async (consentId: string) => {
  const { rows } = await sql<{ id: string }>`select id from consent.outbox where envelope->'payload'->>'consentId' = ${consentId}`.execute(infra.db.db);
  const published = (await publishedEnvelopes(infra, Streams.consentRecorded)).filter((e) => (e.payload as { consentId: string }).consentId === consentId);
  return new Set([...rows.map((r) => r.id), ...published.map((e) => e.id)]).size;
};

const verify = async () => {
  const res = await request(svc.url).get('/v1/admin/sites/daily/consent/chain/verify').set('Authorization', `Bearer ${admin}`);
  expect(res.status).toBe(200);
  return res.body as { intact: boolean; checked: number; firstBreak: unknown };
};

const count = async (table: 'records' | 'idempotency_keys', column: 'consent_id' | 'key', values: string[]) =>
  Number(
    (
      await sql<{ n: string }>`select count(*) as n from ${sql.table(`consent.${table}`)} where ${sql.ref(column)}::text = any(${values}::text[])`.execute(
        infra.db.db,
      )
    ).rows[0]!.n,
  );

describe('group commit per chain', () => {
  it('when two independent appenders and the service write one site at once, then the records form one unbroken chain that verify accepts', async () => {
    const [a, b] = await Promise.all([instance(), instance({ maxBatch: 7 })]);
    const bodies = Array.from({ length: 120 }, () => buildConsentBody('daily', ORIGIN));
    const results = await Promise.all(
      bodies.map((body, i) =>
        i % 3 === 2
          ? request(svc.url).post('/v1/consents').set('Origin', ORIGIN).send(body).then((r) => r.status)
          : write(i % 3 === 0 ? a.ctx : b.ctx, body, `k-${body.consentId}`).then((r) => r.status),
      ),
    );
    expect(results.every((s) => s === 201)).toBe(true);
    // Each request got exactly one record, and the chain over all of them is contiguous and intact.
    expect(await count('records', 'consent_id', bodies.map((b) => b.consentId))).toBe(bodies.length);
    const { rows } = await sql<{ seq: string; prev_hash: string; hash: string }>`select seq, prev_hash, hash from consent.records where site = 'daily' order by seq`.execute(
      infra.db.db,
    );
    expect(rows.map((r) => Number(r.seq))).toEqual(rows.map((_, i) => i + 1));
    rows.slice(1).forEach((r, i) => expect(r.prev_hash).toBe(rows[i]!.hash));
    const head = await sql<{ seq: string; hash: string }>`select seq, hash from consent.chain_heads where site = 'daily'`.execute(infra.db.db);
    expect(head.rows[0]).toEqual({ seq: String(rows.length), hash: rows.at(-1)!.hash });
    expect(await verify()).toMatchObject({ intact: true, checked: rows.length, firstBreak: null });
  });

  it('when one batch holds the same key twice, then one record is written and both get its receipt, the second as a replay', async () => {
    const { ctx } = await instance();
    await write(ctx, buildConsentBody('daily', ORIGIN)); // revision cached: the next appends queue in call order
    const body = buildConsentBody('daily', ORIGIN);
    const other = buildConsentBody('daily', ORIGIN);
    const key = `same-${body.consentId}`;
    // Appended in one tick: they queue together and go out as one batch.
    const [first, second, third] = await Promise.all([write(ctx, body, key), write(ctx, body, key), write(ctx, other, `other-${other.consentId}`)]);
    expect(first).toMatchObject({ status: 201, replayed: false });
    expect(second).toEqual({ ...first, replayed: true });
    expect(third.body.receipt).not.toBe(first.body.receipt);
    expect(await count('records', 'consent_id', [body.consentId])).toBe(1);
    // Later, from another instance: the stored answer again.
    const { ctx: elsewhere } = await instance();
    expect(await write(elsewhere, body, key)).toEqual({ ...first, replayed: true });
  });

  it('when one batch holds a key twice with different bodies, then the first is recorded and the second gets 422, not a record', async () => {
    const { ctx } = await instance();
    await write(ctx, buildConsentBody('daily', ORIGIN));
    const body = buildConsentBody('daily', ORIGIN);
    const changed = { ...body, action: 'reject_all', accepted: [], rejected: [] };
    const key = `clash-${body.consentId}`;
    const [first, second] = await Promise.allSettled([write(ctx, body, key), write(ctx, changed, key)]);
    expect(first.status).toBe('fulfilled');
    expect(second.status).toBe('rejected');
    const err = (second as PromiseRejectedResult).reason as AppError;
    expect({ status: err.status, code: err.code }).toEqual({ status: 422, code: 'IDEMPOTENCY_KEY_REUSED' });
    expect(await count('records', 'consent_id', [body.consentId])).toBe(1);
  });

  it('when Postgres goes away under load, then each request is refused with 503 or recorded whole, never half, and the chain stays intact', async () => {
    const url = new URL(infra.databaseUrl);
    const proxy = await startTcpProxy({ host: url.hostname, port: Number(url.port || 5432) });
    url.port = String(proxy.port);
    const handle = await createDatabase({ databaseUrl: url.toString(), logger: silentLogger });
    handles.push(handle);
    const db = handle.db as Kysely<ConsentDb>;
    const ctx: UseCaseContext = { db, signer, chain: new ChainAppender({ db, signer, afterCommit: () => undefined, maxBatch: 4 }), afterCommit: () => undefined, ipHashKey: Buffer.alloc(32) };
    await write(ctx, buildConsentBody('daily', ORIGIN)); // revision and chain head known: the burst goes straight to the chain
    const bodies = Array.from({ length: 40 }, () => buildConsentBody('daily', ORIGIN));
    const settled = Promise.allSettled(bodies.map((body) => write(ctx, body, `down-${body.consentId}`)));
    await proxy.down();
    const outcomes = await settled;
    let refused = 0;
    for (const [i, o] of outcomes.entries()) {
      const id = bodies[i]!.consentId;
      const stored = {
        record: await count('records', 'consent_id', [id]),
        key: await count('idempotency_keys', 'key', [`down-${id}`]),
        event: await eventsOf(id),
      };
      if (o.status === 'fulfilled') expect(stored).toEqual({ record: 1, key: 1, event: 1 });
      else {
        if (!(o.reason instanceof AppError)) throw o.reason;
        expect({ status: o.reason.status, code: o.reason.code }).toEqual({ status: 503, code: 'SERVICE_UNAVAILABLE' });
        refused += 1;
        // All or nothing (a commit whose answer was lost is all: a retry with the key replays it).
        expect([{ record: 0, key: 0, event: 0 }, { record: 1, key: 1, event: 1 }]).toContainEqual(stored);
      }
    }
    expect(refused).toBeGreaterThan(0);
    // The service (another instance) goes on appending to the same chain, which verifies whole.
    const after = await request(svc.url).post('/v1/consents').set('Origin', ORIGIN).send(buildConsentBody('daily', ORIGIN));
    expect(after.status).toBe(201);
    expect(await verify()).toMatchObject({ intact: true, firstBreak: null });
  });

  it('when Postgres cannot be reached at all, then 503 SERVICE_UNAVAILABLE', async () => {
    const handle = await createDatabase({ databaseUrl: 'postgres://postgres@127.0.0.1:1/none', logger: silentLogger });
    handles.push(handle);
    const db = handle.db as Kysely<ConsentDb>;
    const ctx: UseCaseContext = { db, signer, chain: new ChainAppender({ db, signer, afterCommit: () => undefined }), afterCommit: () => undefined, ipHashKey: Buffer.alloc(32) };
    const err = (await write(ctx, buildConsentBody('daily', ORIGIN)).catch((e: unknown) => e)) as AppError;
    expect({ status: err.status, code: err.code }).toEqual({ status: 503, code: 'SERVICE_UNAVAILABLE' });
  });
});
