import { randomUUID } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import { createDatabase, migrateService, silentLogger } from '@parley/shared';
import { startTestInfra, type TestInfraHandle } from '@parley/shared/testing';
import { cookieConsent } from '../src/service';
import type { ConsentDb } from '../src/db/tables';
import { ChainAppender, type PreparedRecord } from '../src/domain/chain-appender';
import { createReceiptSigner } from '../src/domain/receipt-signer';
import { DEV_SIGNING_KEY } from '../src/config';

let infra: TestInfraHandle;
let db: Kysely<ConsentDb>;

beforeAll(async () => {
  infra = await startTestInfra();
  await migrateService(infra.db, cookieConsent, silentLogger);
  db = infra.db.db as Kysely<ConsentDb>;
});

afterAll(async () => {
  await infra.close();
});

const prepared = (site: string, overrides: Partial<PreparedRecord> = {}): PreparedRecord => ({
  site,
  consentId: randomUUID(),
  revision: 1,
  configHash: 'c'.repeat(64),
  action: 'custom',
  accepted: ['necessary'],
  rejected: ['marketing'],
  services: { accepted: [], rejected: [] },
  language: 'en',
  pageUrl: 'https://a.example.org/',
  gpc: false,
  ipHash: 'a'.repeat(64),
  ipPrefix: '203.0.113.0/24',
  userAgent: 'Firefox 128 / Linux',
  ...overrides,
});

describe('ChainAppender', () => {
  it('when appends for several sites arrive together, then each site gets a gap-free chain in arrival order', async () => {
    const chain = new ChainAppender({ db, signer: createReceiptSigner(DEV_SIGNING_KEY), afterCommit: () => undefined, concurrency: 2 });
    const requests = Array.from({ length: 30 }, (_, i) => prepared(i % 3 === 0 ? 'site-a' : 'site-b'));
    await Promise.all(requests.map((record, i) => chain.append({ record, requestHash: String(i), idempotencyKey: `k-${i}` })));
    const { rows } = await sql<{ site: string; seq: string; consent_id: string; prev_hash: string; hash: string }>`
      select site, seq, consent_id, prev_hash, hash from consent.records order by site, seq`.execute(db);
    for (const site of ['site-a', 'site-b']) {
      const chainRows = rows.filter((r) => r.site === site);
      expect(chainRows.map((r) => Number(r.seq))).toEqual(chainRows.map((_, i) => i + 1));
      chainRows.slice(1).forEach((r, i) => expect(r.prev_hash).toBe(chainRows[i]!.hash));
      expect(chainRows.map((r) => r.consent_id)).toEqual(requests.filter((r) => r.site === site).map((r) => r.consentId));
    }
  });

  it('when one request in a batch cannot be stored, then only it fails and its neighbours are recorded', async () => {
    const chain = new ChainAppender({ db, signer: createReceiptSigner(DEV_SIGNING_KEY), afterCommit: () => undefined, concurrency: 1 });
    const good = [prepared('site-c'), prepared('site-c')];
    const bad = prepared('site-c', { consentId: 'not-a-uuid' });
    const results = await Promise.allSettled([good[0]!, bad, good[1]!].map((record, i) => chain.append({ record, requestHash: String(i) })));
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    const { rows } = await sql<{ seq: string }>`select seq from consent.records where site = 'site-c' order by seq`.execute(db);
    expect(rows.map((r) => Number(r.seq))).toEqual([1, 2]);
  });

  it('when the batch of one site in a shared call cannot be stored, then the batches of the other sites are committed all the same', async () => {
    const chain = new ChainAppender({ db, signer: createReceiptSigner(DEV_SIGNING_KEY), afterCommit: () => undefined, concurrency: 1 });
    const first = chain.append({ record: prepared('site-d'), requestHash: 'x' }); // the next appends queue behind this call
    const later = [prepared('site-d'), prepared('site-e', { consentId: 'not-a-uuid' }), prepared('site-f'), prepared('site-e')];
    const results = await Promise.allSettled([first, ...later.map((record, i) => chain.append({ record, requestHash: String(i) }))]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled', 'rejected', 'fulfilled', 'fulfilled']);
    const { rows } = await sql<{ site: string; seq: string }>`select site, seq from consent.records where site in ('site-d', 'site-e', 'site-f') order by site, seq`.execute(db);
    expect(rows.map((r) => `${r.site}:${r.seq}`)).toEqual(['site-d:1', 'site-d:2', 'site-e:1', 'site-f:1']);
  });

  it('when a site already has many idempotency keys, then an append reads one index entry per key of its batch (ADR 0017)', async () => {
    // One connection, so the statements of append_chain_batches are planned while the table is
    // nearly empty and those plans are kept: the case that read every key of the site.
    const handle = await createDatabase({ databaseUrl: infra.databaseUrl, poolSize: 1, logger: silentLogger });
    try {
      const one = handle.db as Kysely<ConsentDb>;
      const chain = new ChainAppender({ db: one, signer: createReceiptSigner(DEV_SIGNING_KEY), afterCommit: () => undefined, concurrency: 1 });
      for (let i = 0; i < 8; i++) await chain.append({ record: prepared('site-k'), requestHash: 'h', idempotencyKey: `warm-${i}` });
      await sql`insert into consent.idempotency_keys (site, key, request_hash) select 'site-k', 'old-' || n, 'h' from generate_series(1, 20000) n`.execute(db);
      const reads = async () => {
        await sql`select pg_stat_force_next_flush()`.execute(one);
        const { rows } = await sql<{ n: string }>`select idx_tup_read as n from pg_stat_user_indexes where indexrelname = 'idempotency_keys_pk'`.execute(db);
        return Number(rows[0]!.n);
      };
      const before = await reads();

      await chain.append({ record: prepared('site-k'), requestHash: 'h', idempotencyKey: 'after-the-flood' });

      expect((await reads()) - before).toBeLessThan(100);
    } finally {
      await handle.close();
    }
  });
});
