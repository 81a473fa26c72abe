import { canonicalJson } from './canonical-json';
import { chainHash, GENESIS_HASH, type ChainedFields } from './hash-chain';

const fields: ChainedFields = {
  id: '01943c4e-8a00-7000-8000-0000000000d1',
  site: 'daily',
  seq: 1,
  consentId: '01943c4e-8a00-7000-8000-0000000000d2',
  revision: 1,
  configHash: 'c'.repeat(64),
  action: 'custom',
  accepted: ['necessary'],
  rejected: ['marketing'],
  services: { accepted: [], rejected: [] },
  language: 'en',
  pageUrl: 'https://daily.example.org/a',
  gpc: false,
  ipHash: 'a'.repeat(64),
  ipPrefix: '203.0.113.0/24',
  userAgent: 'Firefox 128 / Linux',
  recordedAt: '2026-01-15T10:00:00.000Z',
  prevHash: GENESIS_HASH,
};

describe('hash chain', () => {
  it('when keys come in another order, then the canonical JSON and the hash are the same', () => {
    const reordered = Object.fromEntries(Object.entries(fields).reverse()) as unknown as ChainedFields;
    expect(canonicalJson(reordered)).toBe(canonicalJson(fields));
    expect(chainHash(reordered)).toBe(chainHash(fields));
  });

  it('when any field or the previous hash changes, then the hash changes', () => {
    expect(chainHash({ ...fields, accepted: ['necessary', 'marketing'] })).not.toBe(chainHash(fields));
    expect(chainHash({ ...fields, prevHash: 'f'.repeat(64) })).not.toBe(chainHash(fields));
  });
});
