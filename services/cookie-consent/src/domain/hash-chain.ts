import { sha256Hex } from './canonical-json';

/** The `prev_hash` of a site's first record. */
export const GENESIS_HASH = '0'.repeat(64);

/** Every field of a record that its hash covers (all of them but the hash itself). */
export interface ChainedFields {
  id: string;
  site: string;
  seq: number;
  consentId: string;
  revision: number;
  configHash: string;
  action: string;
  accepted: string[];
  rejected: string[];
  services: { accepted: string[]; rejected: string[] };
  language: string;
  pageUrl: string;
  gpc: boolean;
  ipHash: string;
  ipPrefix: string;
  userAgent: string;
  recordedAt: string;
  prevHash: string;
}

/** SHA-256 over the canonical JSON of the fields, which include the previous record's hash. */
export function chainHash(fields: ChainedFields): string {
  return sha256Hex(chainedFieldsJson(fields));
}

const str = JSON.stringify;
/** An array of strings as canonicalJson writes it (strings need no key sorting). */
const list = (a: string[]) => str(a);

/**
 * `canonicalJson(fields)` written out for this one shape, keys in sorted order: the same bytes at a
 * fraction of the cost (it runs for every record written and verified). A unit test holds it to
 * canonicalJson; a field added to ChainedFields must be added here, in its sorted place.
 */
export function chainedFieldsJson(f: ChainedFields): string {
  return (
    `{"accepted":${list(f.accepted)},"action":${str(f.action)},"configHash":${str(f.configHash)},"consentId":${str(f.consentId)}` +
    `,"gpc":${str(f.gpc)},"id":${str(f.id)},"ipHash":${str(f.ipHash)},"ipPrefix":${str(f.ipPrefix)},"language":${str(f.language)}` +
    `,"pageUrl":${str(f.pageUrl)},"prevHash":${str(f.prevHash)},"recordedAt":${str(f.recordedAt)},"rejected":${list(f.rejected)}` +
    `,"revision":${str(f.revision)},"seq":${str(f.seq)},"services":{"accepted":${list(f.services.accepted)},"rejected":${list(f.services.rejected)}}` +
    `,"site":${str(f.site)},"userAgent":${str(f.userAgent)}}`
  );
}
