import { ValidationError, type RecordConsentBody } from '@parley/shared';
import { canonicalJson, sha256Hex } from './canonical-json';
import type { AppendResult } from './chain-appender';
import { coarseUserAgent, hashIp, ipPrefix } from './client-info';
import { findRevisionCached } from './consent-config';
import type { UseCaseContext } from './context';

export interface ConsentClient {
  ip: string;
  userAgent?: string;
  /** The `Sec-GPC: 1` request header. */
  gpcHeader: boolean;
}

/**
 * Validates a visitor's choice against the revision they were shown and appends it to the site's
 * hash chain (with its `consent.recorded` event, in the same transaction); resolves after the commit.
 */
export async function recordConsent(
  ctx: UseCaseContext,
  body: RecordConsentBody,
  client: ConsentClient,
  idempotencyKey?: string,
): Promise<AppendResult> {
  const revision = await findRevisionCached(ctx, body.site, body.revision);
  if (!revision) throw new ValidationError([{ path: 'body.revision', message: `revision ${body.revision} does not exist for this site` }]);
  const choices = normaliseChoices(revision.config, body);
  return ctx.chain.append({
    idempotencyKey,
    requestHash: sha256Hex(canonicalJson(body)),
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
      pageUrl: stripQuery(body.pageUrl),
      gpc: body.gpc || client.gpcHeader,
      ipHash: hashIp(ctx.ipHashKey, client.ip),
      ipPrefix: ipPrefix(client.ip),
      userAgent: coarseUserAgent(client.userAgent),
    },
  });
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
