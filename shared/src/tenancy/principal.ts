import type { ApiKeyRole } from '../contracts/site.schema';

/** Who is calling, once a Bearer key was accepted. */
export interface Principal {
  keyId: string;
  role: ApiKeyRole;
  /** Site ids, or `['*']` for every site. */
  sites: string[];
}

export function canAccessSite(principal: Principal, site: string): boolean {
  return principal.sites.includes('*') || principal.sites.includes(site);
}
