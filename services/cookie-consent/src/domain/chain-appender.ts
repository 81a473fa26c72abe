import { AppError, ErrorCode, Streams, enqueue, makeEnvelope, uuidv7, type ConsentRecord, type ConsentRecordedV1, type RecordConsentResponse } from '@parley/shared';
import type { Kysely } from 'kysely';
import { SCHEMA, type ConsentDb } from '../db/tables';
import { claimIdempotencyKeys, findIdempotencyKeys, keyId, storeIdempotentResponses } from '../repositories/idempotency-key.repository';
import { insertRecords, lockChainHeads, updateChainHeads } from '../repositories/record.repository';
import { chainHash } from './hash-chain';
import type { ReceiptSigner } from './receipt-signer';

/** A record as the use case prepared it: everything but its place in the chain and its time. */
export type PreparedRecord = Omit<ConsentRecord, 'id' | 'seq' | 'recordedAt' | 'prevHash' | 'hash'>;

export interface AppendRequest {
  record: PreparedRecord;
  idempotencyKey?: string;
  requestHash: string;
}

export interface AppendResult {
  response: RecordConsentResponse;
  /** True when an earlier request with the same Idempotency-Key produced this answer. */
  replayed: boolean;
}

interface Pending {
  request: AppendRequest;
  resolve(result: AppendResult): void;
  reject(err: unknown): void;
}

export interface ChainAppenderOptions {
  db: Kysely<ConsentDb>;
  signer: ReceiptSigner;
  issuer?: string;
  /** Called after each committed batch (wakes the outbox relay). */
  afterCommit(): void;
  /** Records per transaction at most (default 256). */
  maxBatch?: number;
  /** Transactions in flight at most (default 4; keep it below the pool size). */
  concurrency?: number;
  now?: () => Date;
}

/**
 * Appends to the sites' hash chains with group commit. A chain is a sequence, so its appends are
 * serialised (the chain-head row locks also cover other instances). Rather than one transaction and
 * one fsync per record, the appends that arrive while a transaction runs go together into the next
 * one, whatever their sites. At low load a batch is one record and nothing waits; under load the
 * cost per record falls with the batch size.
 */
export class ChainAppender {
  private queue: Pending[] = [];
  private inFlight = 0;
  /** Sites with a batch in flight. */
  private readonly busy = new Set<string>();

  constructor(private readonly options: ChainAppenderOptions) {}

  append(request: AppendRequest): Promise<AppendResult> {
    return new Promise((resolve, reject) => {
      this.queue.push({ request, resolve, reject });
      this.pump();
    });
  }

  /**
   * Starts transactions while fewer than `concurrency` run. A site already in a running batch waits
   * for it to finish, so records keep their arrival order within each chain; batches of other sites
   * run meanwhile.
   */
  private pump(): void {
    while (this.inFlight < (this.options.concurrency ?? 4) && this.queue.length > 0) {
      const max = this.options.maxBatch ?? 256;
      const batch: Pending[] = [];
      const rest: Pending[] = [];
      for (const p of this.queue) (batch.length < max && !this.busy.has(p.request.record.site) ? batch : rest).push(p);
      if (batch.length === 0) return;
      this.queue = rest;
      const sites = new Set(batch.map((p) => p.request.record.site));
      for (const site of sites) this.busy.add(site);
      this.inFlight += 1;
      void this.commitOrSplit(batch).finally(() => {
        this.inFlight -= 1;
        for (const site of sites) this.busy.delete(site);
        this.pump();
      });
    }
  }

  private async commitOrSplit(batch: Pending[]): Promise<void> {
    try {
      await this.commit(batch);
    } catch (err) {
      // One bad request must not fail its neighbours: alone, each succeeds or fails on its own.
      if (batch.length === 1) batch[0]!.reject(err);
      else for (const p of batch) await this.commit([p]).catch((e: unknown) => p.reject(e));
    }
  }

  /** One transaction for the batch; throws only if nothing was committed. */
  private async commit(batch: Pending[]): Promise<void> {
    const { db, signer, issuer } = this.options;
    const keyOf = (p: Pending) => (p.request.idempotencyKey ? keyId(p.request.record.site, p.request.idempotencyKey) : undefined);
    // The first request of a key in this batch writes; later ones with that key replay its answer.
    const leaders = new Map<string, Pending>();
    for (const p of batch) {
      const k = keyOf(p);
      if (k && !leaders.has(k)) leaders.set(k, p);
    }
    const written = await db.transaction().execute(async (trx) => {
      const claimed = await claimIdempotencyKeys(
        trx,
        [...leaders.values()].map((p) => ({ site: p.request.record.site, key: p.request.idempotencyKey!, requestHash: p.request.requestHash })),
      );
      const writers = batch.filter((p) => {
        const k = keyOf(p);
        return !k || (claimed.has(k) && leaders.get(k) === p);
      });
      if (writers.length === 0) return [];
      const now = this.options.now?.() ?? new Date();
      const heads = await lockChainHeads(trx, [...new Set(writers.map((p) => p.request.record.site))]);
      const records = writers.map((p) => {
        const head = heads.get(p.request.record.site);
        if (!head) throw new Error(`no chain head for ${p.request.record.site}`);
        const unhashed = { ...p.request.record, id: uuidv7(now.getTime()), seq: head.seq + 1, recordedAt: now.toISOString(), prevHash: head.hash };
        const record: ConsentRecord = { ...unhashed, hash: chainHash(unhashed) };
        head.seq = record.seq;
        head.hash = record.hash;
        return record;
      });
      await insertRecords(trx, records);
      await updateChainHeads(trx, [...heads].map(([site, h]) => ({ site, ...h })));
      await enqueue(trx, SCHEMA, Streams.consentRecorded, records.map((r) => recordedEvent(r, now)));
      const answers = writers.map((p, i) => ({ pending: p, response: responseFor(records[i]!, signer, issuer) }));
      await storeIdempotentResponses(
        trx,
        answers
          .filter((a) => a.pending.request.idempotencyKey)
          .map((a) => ({ site: a.pending.request.record.site, key: a.pending.request.idempotencyKey!, response: a.response })),
      );
      return answers;
    });
    if (written.length) this.options.afterCommit();
    for (const a of written) a.pending.resolve({ response: a.response, replayed: false });
    const replays = batch.filter((p) => !written.some((a) => a.pending === p));
    // After the commit: a failure here must not send the batch round again.
    await Promise.all(replays.map((p) => this.replay(p).catch((err: unknown) => p.reject(err))));
  }

  private async replay(p: Pending): Promise<void> {
    const { site } = p.request.record;
    const earlier = (await findIdempotencyKeys(this.options.db, site, [p.request.idempotencyKey!])).get(p.request.idempotencyKey!);
    if (earlier?.response && earlier.requestHash === p.request.requestHash) p.resolve({ response: earlier.response as RecordConsentResponse, replayed: true });
    else p.reject(new AppError(ErrorCode.IDEMPOTENCY_KEY_REUSED, 422, 'This Idempotency-Key was used for a different request.'));
  }
}

function responseFor(record: ConsentRecord, signer: ReceiptSigner, issuer?: string): RecordConsentResponse {
  return { recordId: record.id, consentId: record.consentId, recordedAt: record.recordedAt, receipt: signer.sign(receiptClaims(record, issuer)) };
}

/** What the visitor keeps: enough to show what was chosen, under which text, and where in the chain. */
export function receiptClaims(record: ConsentRecord, issuer?: string): Record<string, unknown> {
  return {
    ...(issuer ? { iss: issuer } : {}),
    sub: record.consentId,
    jti: record.id,
    iat: Math.floor(new Date(record.recordedAt).getTime() / 1000),
    site: record.site,
    rev: record.revision,
    cfg: record.configHash,
    act: record.action,
    acc: record.accepted,
    rej: record.rejected,
    svc: record.services,
    gpc: record.gpc,
    seq: record.seq,
    hash: record.hash,
  };
}

function recordedEvent(record: ConsentRecord, now: Date): ConsentRecordedV1 {
  return makeEnvelope(
    Streams.consentRecorded,
    1,
    record.site,
    {
      recordId: record.id,
      consentId: record.consentId,
      revision: record.revision,
      action: record.action,
      accepted: record.accepted,
      rejected: record.rejected,
      gpc: record.gpc,
      recordedAt: record.recordedAt,
    },
    now,
  ) as ConsentRecordedV1;
}
