import fc from 'fast-check';
import { UUID_RE, generateApiKey, hashApiKey, uuidv7, uuidv7Floor, API_KEY_PATTERN } from '../../src';

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

/** Compares as Postgres compares uuids: the 16 bytes, in order. */
const bytes = (id: string) => Buffer.from(id.replaceAll('-', ''), 'hex');
const below = (a: string, b: string) => Buffer.compare(bytes(a), bytes(b)) < 0 && a < b;

describe('uuidv7Floor', () => {
  it('when ids are made just before, at and after a time, then only those made before it sort below it', () => {
    // uuidv7 never goes back in time within a process: the times only increase here.
    for (let t = 3_000_000_000_000; t < 3_000_000_000_000 + 200 * 7_919; t += 7_919) {
      const before = uuidv7(t - 1);
      const at = uuidv7(t);
      const later = uuidv7(t);
      const after = uuidv7(t + 1);
      const floor = uuidv7Floor(t);
      expect(below(before, floor)).toBe(true);
      expect(below(at, floor)).toBe(false);
      expect(below(later, floor)).toBe(false);
      expect(below(floor, after) && below(after, uuidv7Floor(t + 2))).toBe(true);
    }
  });

  it('when more ids fall in one millisecond than its counter holds, then those that borrowed the next one sort at or above its floor', () => {
    const t = 3_100_000_000_000;
    const ids = Array.from({ length: 5_000 }, () => uuidv7(t));
    const next = uuidv7Floor(t + 1);
    const ofT = ids.filter((id) => below(id, next));
    expect(ofT.length).toBeGreaterThan(0);
    expect(ofT.length).toBeLessThan(ids.length);
    // The ones below the next floor are exactly the first ones made, all at or above t's floor.
    expect(ids.slice(0, ofT.length)).toEqual(ofT);
    for (const id of ids) expect(below(id, uuidv7Floor(t))).toBe(false);
  });

  it('when given a time, then the floor is a well-formed UUIDv7 holding that time and nothing else', () => {
    expect(uuidv7Floor(0)).toBe('00000000-0000-7000-8000-000000000000');
    expect(uuidv7Floor(Date.UTC(2026, 0, 15, 10))).toBe('019bc119-0100-7000-8000-000000000000');
    expect(uuidv7Floor(2 ** 48 - 1)).toBe('ffffffff-ffff-7000-8000-000000000000');
    expect(uuidv7Floor(Date.now())).toMatch(UUID_RE);
  });

  it('when the time is negative, fractional or past 48 bits, then it is refused', () => {
    for (const t of [-1, 1.5, 2 ** 48, Number.NaN]) expect(() => uuidv7Floor(t)).toThrow(RangeError);
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
