import { sql, type Kysely } from 'kysely';
import type { ConsentRecord, OutboxEvent, RecordConsentResponse } from '@parley/shared';
import { SCHEMA, type ConsentDb, type RecordRow } from '../db/tables';
import { GENESIS_HASH } from '../domain/hash-chain';

type Db = Kysely<ConsentDb>;

export function recordRowToRecord(row: RecordRow): ConsentRecord {
  return {
    id: row.id,
    site: row.site,
    seq: Number(row.seq),
    consentId: row.consent_id,
    revision: row.revision,
    configHash: row.config_hash,
    action: row.action as ConsentRecord['action'],
    accepted: row.accepted,
    rejected: row.rejected,
    services: row.services,
    language: row.language,
    pageUrl: row.page_url,
    gpc: row.gpc,
    ipHash: row.ip_hash,
    ipPrefix: row.ip_prefix,
    userAgent: row.user_agent,
    recordedAt: row.recorded_at.toISOString(),
    prevHash: row.prev_hash,
    hash: row.hash,
  };
}

export interface ChainHead {
  seq: number;
  hash: string;
}

/** The site's chain head as committed now; a site without one gets the genesis head first. */
export async function findOrCreateChainHead(db: Db, site: string): Promise<ChainHead> {
  const find = () => db.withSchema(SCHEMA).selectFrom('chain_heads').select(['seq', 'hash']).where('site', '=', site).executeTakeFirst();
  let row = await find();
  if (!row) {
    await db.withSchema(SCHEMA).insertInto('chain_heads').values({ site, seq: 0, hash: GENESIS_HASH }).onConflict((oc) => oc.column('site').doNothing()).execute();
    row = await find();
  }
  if (!row) throw new Error(`no chain head for ${site}`);
  return { seq: Number(row.seq), hash: row.hash };
}

/**
 * Locks the site's chain head for the rest of the transaction (creating it when missing), so every
 * other append to this chain, from any instance, waits for this transaction to end.
 */
export async function lockChainHead(trx: Db, site: string): Promise<ChainHead> {
  const lock = () => trx.withSchema(SCHEMA).selectFrom('chain_heads').select(['seq', 'hash']).where('site', '=', site).forUpdate().executeTakeFirst();
  let row = await lock();
  if (!row) {
    await trx.withSchema(SCHEMA).insertInto('chain_heads').values({ site, seq: 0, hash: GENESIS_HASH }).onConflict((oc) => oc.column('site').doNothing()).execute();
    row = await lock();
  }
  if (!row) throw new Error(`no chain head for ${site}`);
  return { seq: Number(row.seq), hash: row.hash };
}

/** An idempotency key the batch named that is stored already (an earlier request's). */
export interface StoredKey {
  key: string;
  requestHash: string;
  /** The answer as stored by the first version of the store (keys now point at their record instead). */
  response?: RecordConsentResponse;
  /** The record the key's request wrote (absent once retention has deleted it). */
  record?: ConsentRecord;
}

export interface ChainBatch {
  site: string;
  /** The head the records were chained onto: the write happens only if it is still the head. */
  from: ChainHead;
  /** The batch's last record: the new head. */
  to: ChainHead;
  records: ConsentRecord[];
  /** Every idempotency key of the batch, with the record its request writes; none may be stored yet. */
  keys: { key: string; requestHash: string; recordId: string }[];
  /** The outbox rows of the batch's events, in order. */
  outbox: OutboxEvent[];
}

export interface ChainBatchOutcome {
  /** The head moved and everything was written. */
  appended: boolean;
  /** When not appended: the batch's keys that are stored already (none: another writer moved the head). */
  stored: StoredKey[];
}

/**
 * Appends batches of several sites' chains in ONE call (one round trip; one statement, so atomic
 * by itself and, outside a transaction, its own commit) of `consent.append_chain_batches` (migration
 * 2026_11_27_0130). Per site it moves the chain head from `from` to `to` and inserts the records,
 * their idempotency keys (with the answers) and their outbox rows, all only if the head is still
 * `from` and none of the keys is stored; otherwise nothing of that site's batch is written and the
 * outcome says why.
 *
 * Why this is safe without a lock held across round trips: a head update takes the head's row lock
 * (sites in order, so calls never wait on each other in a cycle), so two writers of one chain are
 * serialised on it, and one that waited re-checks the committed head and writes nothing if it moved.
 * Every stored key was written together with a head move, so a head still at `from` (which the caller
 * read after the commit that made it) means no key was stored outside the update's snapshot.
 */
export async function appendChainBatches(db: Db, batches: ChainBatch[]): Promise<Map<string, ChainBatchOutcome>> {
  const payload = JSON.stringify(
    batches.map((b) => ({
      site: b.site,
      from_seq: b.from.seq,
      from_hash: b.from.hash,
      to_seq: b.to.seq,
      to_hash: b.to.hash,
      keys: b.keys.map((k) => k.key),
      records: b.records.map((r) => ({
        id: r.id,
        seq: r.seq,
        consent_id: r.consentId,
        revision: r.revision,
        config_hash: r.configHash,
        action: r.action,
        accepted: r.accepted,
        rejected: r.rejected,
        services: r.services,
        language: r.language,
        page_url: r.pageUrl,
        gpc: r.gpc,
        ip_hash: r.ipHash,
        ip_prefix: r.ipPrefix,
        user_agent: r.userAgent,
        recorded_at: r.recordedAt,
        prev_hash: r.prevHash,
        hash: r.hash,
      })),
      key_rows: b.keys.map((k) => ({ key: k.key, request_hash: k.requestHash, record_id: k.recordId })),
      outbox: b.outbox.map((o) => ({ id: o.envelope.id, stream: o.stream, envelope: o.envelope })),
    })),
  );
  const { rows } = await sql<{ batch_site: string; appended: boolean; stored: StoredKeyJson[] | null }>`
    select batch_site, appended, stored from consent.append_chain_batches(${payload}::jsonb)
  `.execute(db);
  return new Map(rows.map((r) => [r.batch_site, { appended: r.appended, stored: (r.stored ?? []).map(storedKey) }]));
}

/** A stored key as `append_chain_batches` returns it: the record is its row as JSON (times as text). */
interface StoredKeyJson {
  key: string;
  request_hash: string;
  response: RecordConsentResponse | null;
  record: (Omit<RecordRow, 'recorded_at'> & { recorded_at: string }) | null;
}

function storedKey(s: StoredKeyJson): StoredKey {
  return {
    key: s.key,
    requestHash: s.request_hash,
    ...(s.response ? { response: s.response } : {}),
    ...(s.record ? { record: recordRowToRecord({ ...s.record, recorded_at: new Date(s.record.recorded_at) }) } : {}),
  };
}

export async function findRecordBySeq(db: Db, site: string, seq: number): Promise<ConsentRecord | undefined> {
  const row = await db.withSchema(SCHEMA).selectFrom('records').selectAll().where('site', '=', site).where('seq', '=', String(seq)).executeTakeFirst();
  return row && recordRowToRecord(row);
}

export async function findRecordsByConsentId(db: Db, site: string, consentId: string, limit = 1000): Promise<ConsentRecord[]> {
  const rows = await db
    .withSchema(SCHEMA)
    .selectFrom('records')
    .selectAll()
    .where('site', '=', site)
    .where('consent_id', '=', consentId)
    .orderBy('seq')
    .limit(limit)
    .execute();
  return rows.map(recordRowToRecord);
}

export interface RecordRange {
  site: string;
  from?: Date;
  to?: Date;
}

/**
 * One page of a site's records in chain order, after `afterSeq`: callers walk a range page by page,
 * so an export or a verification of millions of rows never holds them all in memory.
 */
export async function listRecordsPage(db: Db, range: RecordRange, afterSeq: number, limit: number): Promise<ConsentRecord[]> {
  let q = db.withSchema(SCHEMA).selectFrom('records').selectAll().where('site', '=', range.site).where('seq', '>', String(afterSeq));
  if (range.from) q = q.where('recorded_at', '>=', range.from);
  if (range.to) q = q.where('recorded_at', '<', range.to);
  const rows = await q.orderBy('seq').limit(limit).execute();
  return rows.map(recordRowToRecord);
}

/** The first sequence number inside the range (records are appended in time order per site). */
export async function findFirstSeqInRange(db: Db, range: RecordRange): Promise<number | undefined> {
  let q = db.withSchema(SCHEMA).selectFrom('records').select(sql<string>`min(seq)`.as('seq')).where('site', '=', range.site);
  if (range.from) q = q.where('recorded_at', '>=', range.from);
  if (range.to) q = q.where('recorded_at', '<', range.to);
  const row = await q.executeTakeFirst();
  return row?.seq == null ? undefined : Number(row.seq);
}

/** Deletes up to `limit` records older than `before` (any site); returns how many. */
export async function deleteRecordsBefore(db: Db, before: Date, limit: number): Promise<number> {
  const r = await db
    .withSchema(SCHEMA)
    .deleteFrom('records')
    .where('id', 'in', (eb) => eb.selectFrom('records').select('id').where('recorded_at', '<', before).limit(limit))
    .executeTakeFirst();
  return Number(r.numDeletedRows);
}
