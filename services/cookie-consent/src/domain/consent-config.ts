import { ConflictError, NotFoundError, type ConsentConfig, type ConsentRevision } from '@parley/shared';
import { findConfigRevision, findLatestConfigRevision, insertConfigRevision } from '../repositories/config-revision.repository';
import { canonicalJson, sha256Hex } from './canonical-json';
import { choiceRules, type ChoiceRules } from './choice-rules';
import type { Actor, UseCaseContext } from './context';
import { DEFAULT_CONSENT_CONFIG } from './default-config';

export function configContentHash(config: ConsentConfig): string {
  return sha256Hex(canonicalJson(config));
}

/**
 * The site's current revision. A site without one gets the default stored as revision 1, so every
 * record can point at a stored, hashed text (two first callers racing both end up reading the winner).
 */
export async function currentConsentConfig(ctx: UseCaseContext, site: string): Promise<ConsentRevision> {
  const latest = await findLatestConfigRevision(ctx.db, site);
  if (latest) return latest;
  await insertConfigRevision(ctx.db, {
    site,
    revision: 1,
    contentHash: configContentHash(DEFAULT_CONSENT_CONFIG),
    config: DEFAULT_CONSENT_CONFIG,
    createdBy: null,
  });
  const created = await findLatestConfigRevision(ctx.db, site);
  if (!created) throw new Error(`no consent configuration for ${site} after creating the default`);
  return created;
}

/** A stored revision with its categories indexed for checking choices. */
export type CachedRevision = ConsentRevision & { rules: ChoiceRules };

const revisionCache = new WeakMap<object, Map<string, Promise<CachedRevision | undefined>>>();

/**
 * Revisions never change once stored (a trigger refuses UPDATE and DELETE), so every process may keep
 * the ones it has read, keyed by site and number: a record names the revision its visitor was shown,
 * and the hash stored with it is that revision's, never the "current" one's. Publishing needs no
 * invalidation (it adds a number nobody has cached); a number not stored yet is not cached, so a
 * revision published on another instance is found on first use. Concurrent misses share one query.
 * See ADR 0012.
 */
export function findRevisionCached(ctx: UseCaseContext, site: string, revision: number): Promise<CachedRevision | undefined> {
  let cache = revisionCache.get(ctx.db);
  if (!cache) revisionCache.set(ctx.db, (cache = new Map()));
  const key = `${site}\u0000${revision}`;
  const hit = cache.get(key);
  if (hit) return hit;
  if (cache.size >= 10_000) cache.clear(); // bounded: revision numbers come from the internet
  const found = findConfigRevision(ctx.db, site, revision).then((stored) => stored && { ...stored, rules: choiceRules(stored.config) });
  cache.set(key, found);
  const forget = () => void (cache.get(key) === found && cache.delete(key));
  found.then((r) => r ?? forget(), forget); // neither an unknown number nor a failure is kept
  return found;
}

export async function consentConfigRevision(ctx: UseCaseContext, site: string, revision: number): Promise<ConsentRevision> {
  const found = await findConfigRevision(ctx.db, site, revision);
  if (!found) throw new NotFoundError(`Site ${site} has no consent configuration revision ${revision}.`);
  return found;
}

/**
 * Publishes a configuration. Identical content (same hash) keeps the current revision, so a
 * re-sent PUT does not make every visitor answer again; anything else becomes revision n+1.
 * `expectedRevision` (If-Match) guards against two operators overwriting each other.
 */
export async function publishConsentConfig(
  ctx: UseCaseContext,
  actor: Actor,
  site: string,
  config: ConsentConfig,
  expectedRevision?: number,
): Promise<{ revision: ConsentRevision; created: boolean }> {
  const current = await currentConsentConfig(ctx, site);
  if (expectedRevision !== undefined && expectedRevision !== current.revision) {
    throw new ConflictError(`The configuration changed meanwhile: the current revision is ${current.revision}.`, { currentRevision: current.revision });
  }
  const contentHash = configContentHash(config);
  if (contentHash === current.contentHash) return { revision: current, created: false };
  const next = current.revision + 1;
  if (!(await insertConfigRevision(ctx.db, { site, revision: next, contentHash, config, createdBy: actor.keyId }))) {
    throw new ConflictError('Another configuration was published at the same time; read it and try again.', { currentRevision: next });
  }
  return { revision: await consentConfigRevision(ctx, site, next), created: true };
}
