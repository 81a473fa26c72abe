import type { ApiKeyRole, SiteSettings } from '../contracts/site.schema';

export interface SiteRecord {
  id: string;
  name: string;
  allowedOrigins: string[];
  settings: SiteSettings;
  status: 'active' | 'closed' | 'deleted';
  version: number;
}

export interface KeyRecord {
  id: string;
  role: ApiKeyRole;
  sites: string[];
  revoked: boolean;
}

/**
 * Where a service looks up sites and keys: moderation-queue reads its own tables, the others their
 * read models. Both sit behind a short cache because every write checks the Origin.
 */
export interface TenancyDirectory {
  findSite(id: string): Promise<SiteRecord | undefined>;
  findKeyByHash(hash: string): Promise<KeyRecord | undefined>;
  /** Drops cached entries (the consumer calls it after applying a change). */
  invalidate(): void;
}

/**
 * Caches lookups for `ttlMs`. Another instance of the same service may have applied a change (one
 * consumer per group gets each event), so the TTL bounds staleness to well under a second.
 */
export function cachedDirectory(
  source: Pick<TenancyDirectory, 'findSite' | 'findKeyByHash'>,
  ttlMs = 500,
): TenancyDirectory {
  const sites = new Map<string, { at: number; value: Promise<SiteRecord | undefined> }>();
  const keys = new Map<string, { at: number; value: Promise<KeyRecord | undefined> }>();
  function cached<T>(map: Map<string, { at: number; value: Promise<T> }>, id: string, load: () => Promise<T>): Promise<T> {
    const now = Date.now();
    const hit = map.get(id);
    if (hit && now - hit.at < ttlMs) return hit.value;
    if (map.size > 10_000) map.clear(); // bounded: unknown ids from the internet must not grow it
    const value = load();
    map.set(id, { at: now, value });
    value.catch(() => map.delete(id)); // never cache a failure
    return value;
  }
  return {
    findSite: (id) => cached(sites, id, () => source.findSite(id)),
    findKeyByHash: (hash) => cached(keys, hash, () => source.findKeyByHash(hash)),
    invalidate: () => {
      sites.clear();
      keys.clear();
    },
  };
}
