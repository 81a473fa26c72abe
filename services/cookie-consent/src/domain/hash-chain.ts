import { canonicalJson, sha256Hex } from './canonical-json';

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
  return sha256Hex(canonicalJson(fields));
}
