import fc from 'fast-check';
import { UUID_RE, generateApiKey, hashApiKey, uuidv7, API_KEY_PATTERN } from '../../src';

describe('uuidv7', () => {
  it('when many ids are made in the same millisecond, then they are unique and sort in creation order', () => {
    const ids = Array.from({ length: 5000 }, () => uuidv7(1_700_000_000_000));
    expect(new Set(ids).size).toBe(ids.length);
    expect([...ids].sort()).toEqual(ids);
    for (const id of ids.slice(0, 50)) expect(id).toMatch(UUID_RE);
  });

  it('when time moves on, then later ids sort after earlier ones', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 10_000 }), (step) => {
        const a = uuidv7(1_800_000_000_000);
        const b = uuidv7(1_800_000_000_000 + step * 1000);
        return a < b;
      }),
    );
  });
});

describe('API keys', () => {
  it('when a key is generated, then it has the documented shape and its hash matches', () => {
    const k = generateApiKey();
    expect(k.secret).toMatch(API_KEY_PATTERN);
    expect(k.secret.startsWith(k.prefix)).toBe(true);
    expect(k.hash).toBe(hashApiKey(k.secret));
    expect(k.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(generateApiKey().secret).not.toBe(k.secret);
  });
});
