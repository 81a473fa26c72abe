import { createHash } from 'node:crypto';
import { canonicalJson } from './canonical-json';
import { chainHash, chainedFieldsJson, GENESIS_HASH, type ChainedFields } from './hash-chain';

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

  it('when the fields are written by the shape-specific serialiser, then the bytes are exactly the canonical JSON', () => {
    const variants: ChainedFields[] = [
      fields,
      { ...fields, gpc: true, seq: 9_007_199_254_740, accepted: [], rejected: ['a', 'b'], services: { accepted: ['ga'], rejected: ['hotjar', 'x'] } },
      { ...fields, pageUrl: 'https://daily.example.org/"quoted"\\back/üñí/\u2028', userAgent: 'Other / Other (mobile)', language: 'ar' },
    ];
    // Records already stored keep verifying: the hash of this record is what it has always been.
    expect(chainHash(fields)).toBe('671bf57d817a2a687d9baaaeccc14fe46d4caaccc734245f429cc60d20ea2155');
    for (const v of variants) {
      expect(chainedFieldsJson(v)).toBe(canonicalJson(v));
      expect(chainHash(v)).toBe(createHash('sha256').update(canonicalJson(v)).digest('hex'));
    }
  });
});
