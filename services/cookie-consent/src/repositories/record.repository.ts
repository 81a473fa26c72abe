import { sql, type Kysely } from 'kysely';
import type { ConsentRecord } from '@parley/shared';
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

/**
 * Locks the chain heads of `sites` for the rest of the transaction (creating missing ones), so
 * appends to one site's chain happen one after another. Rows are locked in site order (ORDER BY
 * comes before the row locks), so two transactions never wait on each other in a cycle.
 * The common case (every head exists) is one round trip.
 */
export async function lockChainHeads(trx: Db, sites: string[]): Promise<Map<string, { seq: number; hash: string }>> {
  const select = async () =>
    new Map(
      (await trx.withSchema(SCHEMA).selectFrom('chain_heads').select(['site', 'seq', 'hash']).where('site', 'in', sites).orderBy('site').forUpdate().execute()).map(
        (h) => [h.site, { seq: Number(h.seq), hash: h.hash }] as const,
      ),
    );
  let heads = await select();
  const missing = sites.filter((s) => !heads.has(s));
  if (missing.length) {
    await trx
      .withSchema(SCHEMA)
      .insertInto('chain_heads')
      .values(missing.sort().map((site) => ({ site, seq: 0, hash: GENESIS_HASH })))
      .onConflict((oc) => oc.column('site').doNothing())
      .execute();
    heads = await select();
  }
  return heads;
}

/** Moves the heads to their sites' last records, in one statement. */
export async function updateChainHeads(trx: Db, heads: { site: string; seq: number; hash: string }[]): Promise<void> {
  if (heads.length === 0) return;
  const values = sql.join(heads.map((h) => sql`(${h.site}, ${h.seq}::bigint, ${h.hash})`));
  await sql`update ${sql.table(`${SCHEMA}.chain_heads`)} as h set seq = v.seq, hash = v.hash
    from (values ${values}) as v(site, seq, hash) where h.site = v.site`.execute(trx);
}

/** Inserts records (one statement for a whole batch). */
export async function insertRecords(trx: Db, records: ConsentRecord[]): Promise<void> {
  if (records.length === 0) return;
  await trx
    .withSchema(SCHEMA)
    .insertInto('records')
    .values(
      records.map((r) => ({
        id: r.id,
        site: r.site,
        seq: r.seq,
        consent_id: r.consentId,
        revision: r.revision,
        config_hash: r.configHash,
        action: r.action,
        accepted: JSON.stringify(r.accepted),
        rejected: JSON.stringify(r.rejected),
        services: JSON.stringify(r.services),
        language: r.language,
        page_url: r.pageUrl,
        gpc: r.gpc,
        ip_hash: r.ipHash,
        ip_prefix: r.ipPrefix,
        user_agent: r.userAgent,
        recorded_at: new Date(r.recordedAt),
        prev_hash: r.prevHash,
        hash: r.hash,
      })),
    )
    .execute();
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
