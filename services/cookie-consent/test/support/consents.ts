import { randomUUID } from 'node:crypto';
import type { RecordConsentBody } from '@parley/shared';

type ConsentBodyInput = Omit<Partial<RecordConsentBody>, 'services'> & { services?: { accepted?: string[]; rejected?: string[] } };

/** A valid consent body for `site` as banner.js would send it; override any field. */
export function buildConsentBody(site: string, origin: string, overrides: ConsentBodyInput = {}) {
  return {
    site,
    consentId: randomUUID(),
    revision: 1,
    action: 'custom',
    accepted: ['necessary', 'functional'],
    rejected: ['analytics', 'marketing'],
    language: 'en',
    pageUrl: `${origin}/2025/peace-talks?utm_source=mail`,
    gpc: false,
    ...overrides,
  };
}
