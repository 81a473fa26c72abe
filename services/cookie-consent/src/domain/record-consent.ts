import {
  isDatabaseUnavailable,
  parseOrThrow,
  recordConsentBodySchema,
  ServiceUnavailableError,
  ValidationError,
  type RecordConsentBody,
  type RecordConsentResponse,
} from '@parley/shared';
import { canonicalJson, sha256Hex } from './canonical-json';
import { coarseUserAgent, hashIp, ipPrefix } from './client-info';
import { choiceRules, type ChoiceRules, type ConfigShape } from './choice-rules';
import { findRevisionCached } from './consent-config';
import type { UseCaseContext } from './context';

/** One `POST /v1/consents` as any HTTP layer sees it (Express or the fast routes). */
export interface RecordConsentInput {
  /**
   * The site the body names, already found by the caller (unknown or deleted → its own 404) and the
   * request's Origin checked against its allow-list (→ 403), with CORS headers set for the answer.
   */
  site: string;
  /** The parsed JSON body, not yet validated. */
  body: unknown;
  /** The request's Origin: the page URL must be one of its pages. */
  origin: string | undefined;
  /** The raw `Idempotency-Key` header, if any. */
  idempotencyKey?: string | string[];
  /** The client address (after `trust proxy`). */
  ip: string;
  userAgent?: string;
  /** The `Sec-GPC: 1` request header. */
  gpcHeader: boolean;
}

export interface RecordConsentOutcome {
  status: 201;
  body: RecordConsentResponse;
  /** True when an earlier request with the same Idempotency-Key produced this answer (`Idempotent-Replayed: true`). */
  replayed: boolean;
}

const IDEMPOTENCY_KEY = /^[A-Za-z0-9_.:-]{8,128}$/;

/** Validates a consent body with the shared schema (built once, at import); 422 names the fields. */
export function parseConsentBody(body: unknown): RecordConsentBody {
  return parseOrThrow(recordConsentBodySchema, body, 'body');
}

/**
 * Records a visitor's choice: validates it against the revision they were shown and appends it to
 * the site's hash chain with its `consent.recorded` event (group commit, see ChainAppender); resolves
 * after the commit with the signed receipt. Throws AppErrors: 400 bad Idempotency-Key, 422 invalid
 * body or key reused for another body, 409 key in flight, 503 database unreachable.
 */
export async function recordConsent(ctx: UseCaseContext, input: RecordConsentInput): Promise<RecordConsentOutcome> {
  const key = input.idempotencyKey;
  if (key !== undefined && (typeof key !== 'string' || !IDEMPOTENCY_KEY.test(key))) {
    throw new ValidationError([{ path: 'headers.idempotency-key', message: '8–128 characters of A–Z, a–z, 0–9, _ . : -' }], 400);
  }
  const body = parseConsentBody(input.body);
  if (body.site !== input.site) throw new ValidationError([{ path: 'body.site', message: 'must be the site the request was checked against' }]);
  const page = new URL(body.pageUrl);
  if (page.origin !== input.origin) throw new ValidationError([{ path: 'body.pageUrl', message: 'must be a page of the requesting origin' }]);
  try {
    const revision = await findRevisionCached(ctx, body.site, body.revision);
    if (!revision) throw new ValidationError([{ path: 'body.revision', message: `revision ${body.revision} does not exist for this site` }]);
    const choices = normaliseWith(revision.rules, body);
    const { response, replayed } = await ctx.chain.append({
      idempotencyKey: key,
      // Only a keyed request is ever compared with another.
      requestHash: key === undefined ? '' : sha256Hex(canonicalJson(body)),
      record: {
        site: body.site,
        consentId: body.consentId,
        revision: body.revision,
        configHash: revision.contentHash,
        action: body.action,
        accepted: choices.accepted,
        rejected: choices.rejected,
        services: choices.services,
        language: body.language,
        // Query strings and fragments can carry personal data (emails, tokens): only the page is kept.
        pageUrl: `${page.origin}${page.pathname}`,
        gpc: body.gpc || input.gpcHeader,
        ipHash: hashIp(ctx.ipHashKey, input.ip),
        ipPrefix: ipPrefix(input.ip),
        userAgent: coarseUserAgent(input.userAgent),
      },
    });
    return { status: 201, body: response, replayed };
  } catch (err) {
    if (isDatabaseUnavailable(err)) throw new ServiceUnavailableError('The consent store is unavailable; try again shortly.', err);
    throw err;
  }
}

type Choices = Pick<RecordConsentBody, 'accepted' | 'rejected' | 'services'>;

/**
 * Checks the choice against the revision the visitor saw: unknown categories are refused, required
 * ones are always accepted, and whatever is not accepted counts as rejected (silence is not consent).
 */
export function normaliseChoices(config: ConfigShape, body: Choices) {
  return normaliseWith(choiceRules(config), body);
}

function normaliseWith(rules: ChoiceRules, body: Choices) {
  const errors = [
    ...body.accepted.map((id, i) => ({ id, path: `body.accepted.${i}` })),
    ...body.rejected.map((id, i) => ({ id, path: `body.rejected.${i}` })),
  ]
    .filter((c) => !rules.known.has(c.id))
    .map((c) => ({ path: c.path, message: `unknown category "${c.id}"` }));
  for (const [i, id] of body.rejected.entries()) {
    if (rules.required.has(id)) errors.push({ path: `body.rejected.${i}`, message: `"${id}" is required and cannot be rejected` });
  }
  for (const [i, id] of [...body.services.accepted, ...body.services.rejected].entries()) {
    if (!rules.knownServices.has(id)) errors.push({ path: `body.services.${i}`, message: `unknown service "${id}"` });
  }
  if (errors.length) throw new ValidationError(errors);
  const accepted = rules.categories.filter((c) => c.required || body.accepted.includes(c.id)).map((c) => c.id);
  const rejected = rules.categories.filter((c) => !accepted.includes(c.id)).map((c) => c.id);
  // A service is on when explicitly accepted, or when its category is and it was not singled out.
  const serviceOn = (s: { id: string; category: string }) =>
    body.services.accepted.includes(s.id) || (accepted.includes(s.category) && !body.services.rejected.includes(s.id));
  return {
    accepted,
    rejected,
    services: { accepted: rules.services.filter(serviceOn).map((s) => s.id), rejected: rules.services.filter((s) => !serviceOn(s)).map((s) => s.id) },
  };
}
