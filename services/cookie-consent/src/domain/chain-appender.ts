import {
  AppError,
  ErrorCode,
  Streams,
  isDatabaseUnavailable,
  makeEnvelope,
  uuidv7,
  type ConsentRecord,
  type ConsentRecordedV1,
  type OutboxEvent,
  type RecordConsentResponse,
} from '@parley/shared';
import type { Kysely } from 'kysely';
import type { ConsentDb } from '../db/tables';
import { appendChainBatches, findOrCreateChainHead, lockChainHead, type ChainBatch, type ChainHead, type StoredKey } from '../repositories/record.repository';
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
  /** Answered, or committed and about to be: never written again. */
  settled: boolean;
  resolve(result: AppendResult): void;
  reject(err: unknown): void;
}

export interface ChainAppenderOptions {
  db: Kysely<ConsentDb>;
  signer: ReceiptSigner;
  issuer?: string;
  /** Called after each committed batch with its outbox events (the relay publishes them at once). */
  afterCommit(events: readonly OutboxEvent[]): void;
  /** Records of one site per batch at most (default 256). */
  maxBatch?: number;
  /** Records per call (all sites together) at most (default 512). */
  maxCall?: number;
  /**
   * Calls in flight at most (default 1: classic group commit). Whatever arrives during a call goes
   * into the next one, so batches grow with the load and every call costs one commit; measured on
   * the 2-core box, a second call in flight cost Postgres a fifth more CPU per record for 7% fewer
   * records/s (ADR 0019). A remote database with a long round trip may want 2.
   */
  concurrency?: number;
  now?: () => Date;
}

/** One site's share of a call: its requests, and who answers for each idempotency key. */
interface SiteBatch {
  site: string;
  pending: Pending[];
}

interface SiteWork {
  site: string;
  head: ChainHead;
  /** The first request of each key (and every request without one): these write. */
  writers: Pending[];
  /** Every request of each key, the writer first: they share its answer. */
  byKey: Map<string, Pending[]>;
}

/** What one attempt writes for one site, with the answers to give once it is committed. */
interface Prepared {
  batch: ChainBatch;
  writers: Pending[];
  /**
   * Signed in the event loop's next check phase (setImmediate), by when the batch's write has gone
   * out: the signatures are made while Postgres writes. Only the answers need them.
   */
  responses: Promise<RecordConsentResponse[]>;
}

/**
 * Appends to the sites' hash chains with group commit per chain (ADR 0012). Each site has a queue and
 * at most one batch in flight: the records that arrive while a site's batch is being written wait and
 * go together into its next batch. A call to the database carries the batches of every site that is
 * ready (up to `maxCall` records), and up to `concurrency` calls run at once, so a busy chain costs
 * one round trip per batch and many quiet chains share one.
 *
 * A batch is chained in memory onto the head this process last saw for its site, and the call writes
 * it only if the head has not moved (`appendChainBatches`): no transaction, no lock held across round
 * trips. Its receipts are signed while that call is out. If another instance moved the head
 * meanwhile, that site's batch is written again the classic way: a transaction that locks the head row
 * (`SELECT … FOR UPDATE`), re-chains and writes. Either way a caller is answered only after the
 * commit, and each chain stays one unbroken sequence whatever the number of instances.
 */
export class ChainAppender {
  /** Requests waiting, per site, in arrival order. */
  private readonly queues = new Map<string, Pending[]>();
  /** Sites with waiting requests and no batch in flight, in the order they became ready. */
  private readonly ready: string[] = [];
  /** Sites with a batch in flight. */
  private readonly busy = new Set<string>();
  /** The last committed head this process knows per site (a hint: every write checks it). */
  private readonly heads = new Map<string, ChainHead>();
  private inFlight = 0;

  constructor(private readonly options: ChainAppenderOptions) {}

  append(request: AppendRequest): Promise<AppendResult> {
    return new Promise((resolve, reject) => {
      const pending: Pending = {
        request,
        settled: false,
        resolve: (r) => {
          pending.settled = true;
          resolve(r);
        },
        reject: (e) => {
          pending.settled = true;
          reject(e);
        },
      };
      const site = request.record.site;
      let queue = this.queues.get(site);
      if (!queue) {
        this.queues.set(site, (queue = []));
        if (!this.busy.has(site)) this.ready.push(site);
      }
      queue.push(pending);
      this.pump();
    });
  }

  /** Starts calls with the ready sites' batches while fewer than `concurrency` are in flight. */
  private pump(): void {
    const limit = this.options.concurrency ?? 1;
    const maxBatch = this.options.maxBatch ?? 256;
    const maxCall = this.options.maxCall ?? 512;
    while (this.inFlight < limit && this.ready.length > 0) {
      const call: SiteBatch[] = [];
      for (let size = 0; size < maxCall && this.ready.length > 0; ) {
        const site = this.ready.shift()!;
        const queue = this.queues.get(site)!;
        const pending = queue.splice(0, Math.min(maxBatch, maxCall - size));
        if (queue.length === 0) this.queues.delete(site);
        this.busy.add(site);
        call.push({ site, pending });
        size += pending.length;
      }
      this.inFlight += 1;
      void this.writeOrSplit(call).finally(() => {
        this.inFlight -= 1;
        for (const { site } of call) {
          this.busy.delete(site);
          if (this.queues.has(site)) this.ready.push(site);
        }
        this.pump();
      });
    }
  }

  private async writeOrSplit(call: SiteBatch[]): Promise<void> {
    try {
      await this.write(call);
    } catch (err) {
      // The outcome is unknown (a lost connection may have committed): read the heads again next time.
      for (const { site } of call) this.heads.delete(site);
      const open = call.flatMap((b) => b.pending.filter((p) => !p.settled));
      // Without a database every request would fail alone too.
      if (isDatabaseUnavailable(err)) {
        for (const p of open) p.reject(err);
        return;
      }
      // Otherwise one bad request must not fail its neighbours: each site alone, then each request alone.
      if (call.length > 1) {
        for (const b of call) await this.writeOrSplit([b]);
        return;
      }
      if (open.length <= 1) {
        for (const p of open) p.reject(err);
        return;
      }
      for (const p of open) {
        await this.write([{ site: call[0]!.site, pending: [p] }]).catch((e: unknown) => {
          this.heads.delete(call[0]!.site);
          p.reject(e);
        });
      }
    }
  }

  /** Writes the call's batches; every request is answered once its batch is committed. */
  private async write(call: SiteBatch[]): Promise<void> {
    const work: SiteWork[] = [];
    for (const { site, pending } of call) {
      const w = byIdempotencyKey(pending);
      if (w.writers.length === 0) continue;
      work.push({ site, head: this.heads.get(site) ?? (await findOrCreateChainHead(this.options.db, site)), ...w });
    }
    const contended: SiteWork[] = [];
    let open = work;
    while (open.length > 0) {
      const prepared = open.map((w) => this.prepare(w.site, w.head, w.writers));
      const outcomes = await appendChainBatches(
        this.options.db,
        prepared.map((p) => p.batch),
      );
      const again: SiteWork[] = [];
      open.forEach((w, i) => {
        const outcome = outcomes.get(w.site)!;
        if (outcome.appended) {
          this.heads.set(w.site, prepared[i]!.batch.to);
          this.answer(prepared[i]!, w.byKey);
        } else if (outcome.stored.length === 0) {
          contended.push(w); // another instance moved the head
        } else {
          // Keys stored by earlier requests are answered from the store; the rest tries again.
          w.writers = this.replay(outcome.stored, w.writers, w.byKey);
          if (w.writers.length > 0) again.push(w);
        }
      });
      open = again;
    }
    for (const w of contended) await this.writeLocked(w);
  }

  /** The slow path: a transaction holding the chain head's row lock (other instances wait on it). */
  private async writeLocked({ site, writers, byKey }: SiteWork): Promise<void> {
    const stored: StoredKey[] = [];
    const outcome = await this.options.db.transaction().execute(async (trx) => {
      const head = await lockChainHead(trx, site);
      let open = writers;
      while (open.length > 0) {
        const prepared = this.prepare(site, head, open);
        const r = (await appendChainBatches(trx, [prepared.batch])).get(site)!;
        if (r.appended) return { head: prepared.batch.to, prepared };
        if (r.stored.length === 0) throw new Error(`the chain head of ${site} moved while locked`);
        stored.push(...r.stored);
        const done = new Set(r.stored.map((s) => s.key));
        open = open.filter((p) => !done.has(p.request.idempotencyKey!));
      }
      return { head, prepared: undefined };
    });
    this.heads.set(site, outcome.head);
    this.replay(stored, writers, byKey);
    if (outcome.prepared) this.answer(outcome.prepared, byKey);
  }

  /** Chains `writers` onto `head` in order, signs their receipts and builds their events. */
  private prepare(site: string, head: ChainHead, writers: Pending[]): Prepared {
    const { signer, issuer } = this.options;
    const now = this.options.now?.() ?? new Date();
    const recordedAt = now.toISOString();
    let seq = head.seq;
    let prevHash = head.hash;
    const records: ConsentRecord[] = [];
    const outbox: ChainBatch['outbox'] = [];
    for (const p of writers) {
      seq += 1;
      const unhashed = { ...p.request.record, id: uuidv7(now.getTime()), seq, recordedAt, prevHash };
      const record: ConsentRecord = { ...unhashed, hash: chainHash(unhashed) };
      prevHash = record.hash;
      records.push(record);
      outbox.push({ stream: Streams.consentRecorded, envelope: recordedEvent(record, now) });
    }
    const responses = new Promise<RecordConsentResponse[]>((resolve, reject) =>
      setImmediate(() => {
        try {
          resolve(records.map((r) => responseFor(r, signer, issuer)));
        } catch (err) {
          reject(err);
        }
      }),
    );
    responses.catch(() => undefined); // a batch that is not written never reads them
    const keys: ChainBatch['keys'] = [];
    writers.forEach((p, i) => {
      if (p.request.idempotencyKey !== undefined) keys.push({ key: p.request.idempotencyKey, requestHash: p.request.requestHash, recordId: records[i]!.id });
    });
    return { batch: { site, from: head, to: { seq, hash: prevHash }, records, keys, outbox }, writers, responses };
  }

  /** After the commit: every writer gets its answer, and so does every later request with its key. */
  private answer(prepared: Prepared, byKey: Map<string, Pending[]>): void {
    this.options.afterCommit(prepared.batch.outbox);
    const answered = (p: Pending) => (p.request.idempotencyKey === undefined ? [p] : byKey.get(p.request.idempotencyKey)!);
    // Settled now, answered once the receipts are signed: a failure later in this call must not write them again.
    for (const p of prepared.writers) for (const f of answered(p)) f.settled = true;
    prepared.responses.then(
      (responses) =>
        prepared.writers.forEach((p, i) => {
          const response = responses[i]!;
          for (const f of answered(p)) {
            if (f === p) f.resolve({ response, replayed: false });
            else if (f.request.requestHash === p.request.requestHash) f.resolve({ response, replayed: true });
            else f.reject(keyReused());
          }
        }),
      (err: unknown) => prepared.writers.forEach((p) => answered(p).forEach((f) => f.reject(err))),
    );
  }

  /**
   * Answers the requests whose keys were stored already; returns the writers left. A key stored with
   * its record gets that record's receipt signed again: Ed25519 signatures are deterministic, so
   * under the same key it is the very receipt the first request got.
   */
  private replay(stored: StoredKey[], writers: Pending[], byKey: Map<string, Pending[]>): Pending[] {
    const done = new Set<string>();
    for (const s of stored) {
      done.add(s.key);
      const same = (byKey.get(s.key) ?? []).filter((p) => {
        if (s.requestHash === p.request.requestHash) return true;
        p.reject(keyReused());
        return false;
      });
      if (same.length === 0) continue;
      for (const p of same) p.settled = true;
      let response: RecordConsentResponse | undefined;
      try {
        response = s.response ?? (s.record && responseFor(s.record, this.options.signer, this.options.issuer));
      } catch (err) {
        for (const p of same) p.reject(err);
        continue;
      }
      // A key without an answer (its record past retention, and the key not yet) is not replayable.
      if (!response) for (const p of same) p.reject(new AppError(ErrorCode.IDEMPOTENCY_KEY_IN_FLIGHT, 409, 'A request with this Idempotency-Key is still being processed; retry shortly.'));
      else for (const p of same) p.resolve({ response, replayed: true });
    }
    return writers.filter((p) => p.request.idempotencyKey === undefined || !done.has(p.request.idempotencyKey));
  }
}

/** The first request of each key in the batch writes; later ones with that key get its answer. */
function byIdempotencyKey(pending: Pending[]): { writers: Pending[]; byKey: Map<string, Pending[]> } {
  const byKey = new Map<string, Pending[]>();
  const writers: Pending[] = [];
  for (const p of pending) {
    if (p.settled) continue;
    const key = p.request.idempotencyKey;
    const same = key === undefined ? undefined : byKey.get(key);
    if (same) same.push(p);
    else {
      if (key !== undefined) byKey.set(key, [p]);
      writers.push(p);
    }
  }
  return { writers, byKey };
}

function keyReused(): AppError {
  return new AppError(ErrorCode.IDEMPOTENCY_KEY_REUSED, 422, 'This Idempotency-Key was used for a different request.');
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
