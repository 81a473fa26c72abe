import { secretBox } from './webhook-secrets';

const current = Buffer.alloc(32, 1);
const previous = Buffer.alloc(32, 2);

describe('webhook secret box', () => {
  it('when a secret is sealed, then only a box holding that key opens it, and the row never shows it', () => {
    const stored = secretBox(current).seal('whsec_abc');
    expect(stored).toMatch(/^sealed:v1:/);
    expect(stored).not.toContain('abc');
    expect(secretBox(current).open(stored)).toBe('whsec_abc');
    expect(() => secretBox(previous).open(stored)).toThrow(/MODERATION_SECRETS_KEY/);
  });

  it('when the key was rotated, then the new box opens what the previous key sealed but calls it not current; what it seals is current', () => {
    const old = secretBox(previous).seal('whsec_old');
    const box = secretBox(current, [previous]);
    expect(box.open(old)).toBe('whsec_old');
    expect(box.isCurrent(old)).toBe(false);
    expect(box.isCurrent(box.seal('whsec_old'))).toBe(true);
    expect(box.isCurrent('whsec_stored_before_sealing')).toBe(false);
    expect(box.open('whsec_stored_before_sealing')).toBe('whsec_stored_before_sealing');
  });
});
