import {
  AppError,
  ErrorCode,
  Streams,
  ValidationError,
  enqueue,
  makeEnvelope,
  uuidv7,
  type ConsentRecord,
  type ConsentRecordedV1,
  type RecordConsentBody,
  type RecordConsentResponse,
} from '@parley/shared';
import { SCHEMA } from '../db/tables';
import { findIdempotencyKey, insertIdempotencyKey } from '../repositories/idempotency-key.repository';
import { insertRecord, lockChainHead, updateChainHead } from '../repositories/record.repository';
import { canonicalJson, sha256Hex } from './canonical-json';
import { findRevisionCached } from './consent-config';
import { coarseUserAgent, hashIp, ipPrefix } from './client-info';
import type { UseCaseContext } from './context';
import { chainHash } from './hash-chain';

export interface ConsentClient {
  ip: string;
  userAgent?: string;
  /** The `Sec-GPC: 1` request header. */
  gpcHeader: boolean;
}

export interface RecordConsentResult {
  response: RecordConsentResponse;
  /** True when an earlier request with the same Idempotency-Key already produced this answer. */
  replayed: boolean;
}

/** Thrown inside the transaction to roll it back when the Idempotency-Key turns out to be taken. */
const KEY_TAKEN = new Error('idempotency key taken');

/**
 * Appends one consent record to the site's hash chain, with its `consent.recorded` event, in one
 * transaction; the receipt is signed before the commit and stored under the idempotency key, so a
 * retry gets the very same receipt. Seven round trips, the chain head locked for the last five.
 */
export async function recordConsent(
  ctx: UseCaseContext,
  body: RecordConsentBody,
  client: ConsentClient,
  idempotencyKey?: string,
): Promise<RecordConsentResult> {
  const revision = await findRevisionCached(ctx, body.site, body.revision);
  if (!revision) throw new ValidationError([{ path: 'body.revision', message: `revision ${body.revision} does not exist for this site` }]);
  const choices = normaliseChoices(revision.config, body);
  const requestHash = sha256Hex(canonicalJson(body));
  try {
    const response = await ctx.db.transaction().execute(async (trx): Promise<RecordConsentResponse> => {
      const now = ctx.now?.() ?? new Date();
      const head = await lockChainHead(trx, body.site);
      const unhashed: Omit<ConsentRecord, 'hash'> = {
        id: uuidv7(now.getTime()),
        site: body.site,
        seq: head.seq + 1,
        consentId: body.consentId,
        revision: body.revision,
        configHash: revision.contentHash,
        action: body.action,
        accepted: choices.accepted,
        rejected: choices.rejected,
        services: choices.services,
        language: body.language,
        pageUrl: stripQuery(body.pageUrl),
        gpc: body.gpc || client.gpcHeader,
        ipHash: hashIp(ctx.ipHashKey, client.ip),
        ipPrefix: ipPrefix(client.ip),
        userAgent: coarseUserAgent(client.userAgent),
        recordedAt: now.toISOString(),
        prevHash: head.hash,
      };
      const record: ConsentRecord = { ...unhashed, hash: chainHash(unhashed) };
      await insertRecord(trx, record);
      await updateChainHead(trx, record.site, record.seq, record.hash);
      await enqueue(trx, SCHEMA, Streams.consentRecorded, recordedEvent(record, now));
      const answer: RecordConsentResponse = {
        recordId: record.id,
        consentId: record.consentId,
        recordedAt: record.recordedAt,
        receipt: ctx.signer.sign(receiptClaims(record, ctx.issuer)),
      };
      // Last, so a duplicate waits here for the first to commit, then rolls its own record back.
      if (idempotencyKey && !(await insertIdempotencyKey(trx, body.site, idempotencyKey, requestHash, answer))) throw KEY_TAKEN;
      return answer;
    });
    ctx.afterCommit();
    return { response, replayed: false };
  } catch (err) {
    if (err !== KEY_TAKEN || !idempotencyKey) throw err;
    const earlier = await findIdempotencyKey(ctx.db, body.site, idempotencyKey);
    if (!earlier || earlier.requestHash !== requestHash) {
      throw new AppError(ErrorCode.IDEMPOTENCY_KEY_REUSED, 422, 'This Idempotency-Key was used for a different request.');
    }
    return { response: earlier.response as RecordConsentResponse, replayed: true };
  }
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

interface ConfigShape {
  categories: { id: string; required: boolean; services: { id: string }[] }[];
}

/**
 * Checks the choice against the revision the visitor saw: unknown categories are refused, required
 * ones are always accepted, and whatever is not accepted counts as rejected (silence is not consent).
 */
export function normaliseChoices(config: ConfigShape, body: Pick<RecordConsentBody, 'accepted' | 'rejected' | 'services'>) {
  const known = new Set(config.categories.map((c) => c.id));
  const errors = [
    ...body.accepted.map((id, i) => ({ id, path: `body.accepted.${i}` })),
    ...body.rejected.map((id, i) => ({ id, path: `body.rejected.${i}` })),
  ]
    .filter((c) => !known.has(c.id))
    .map((c) => ({ path: c.path, message: `unknown category "${c.id}"` }));
  for (const [i, id] of body.rejected.entries()) {
    if (config.categories.find((c) => c.id === id)?.required) errors.push({ path: `body.rejected.${i}`, message: `"${id}" is required and cannot be rejected` });
  }
  const services = config.categories.flatMap((c) => c.services.map((s) => ({ id: s.id, category: c.id })));
  const knownServices = new Set(services.map((s) => s.id));
  for (const [i, id] of [...body.services.accepted, ...body.services.rejected].entries()) {
    if (!knownServices.has(id)) errors.push({ path: `body.services.${i}`, message: `unknown service "${id}"` });
  }
  if (errors.length) throw new ValidationError(errors);
  const accepted = config.categories.filter((c) => c.required || body.accepted.includes(c.id)).map((c) => c.id);
  const rejected = config.categories.filter((c) => !accepted.includes(c.id)).map((c) => c.id);
  // A service is on when explicitly accepted, or when its category is and it was not singled out.
  const serviceOn = (s: { id: string; category: string }) =>
    body.services.accepted.includes(s.id) || (accepted.includes(s.category) && !body.services.rejected.includes(s.id));
  return {
    accepted,
    rejected,
    services: { accepted: services.filter(serviceOn).map((s) => s.id), rejected: services.filter((s) => !serviceOn(s)).map((s) => s.id) },
  };
}

/** Query strings and fragments can carry personal data (emails, tokens): only the page is kept. */
function stripQuery(url: string): string {
  const u = new URL(url);
  return `${u.origin}${u.pathname}`;
}
