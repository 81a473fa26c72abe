import { createPrivacy, ipPrefix } from './privacy';

const privacy = createPrivacy(Buffer.alloc(32, 1), Buffer.alloc(32, 2));

describe('privacy helpers', () => {
  it('when an IP is hashed, then the hash is keyed and an IPv4-mapped address hashes like the IPv4 one', () => {
    expect(privacy.ipHash('203.0.113.7')).toMatch(/^[0-9a-f]{64}$/);
    expect(privacy.ipHash('::ffff:203.0.113.7')).toBe(privacy.ipHash('203.0.113.7'));
    expect(createPrivacy(Buffer.alloc(32, 9), Buffer.alloc(32, 2)).ipHash('203.0.113.7')).not.toBe(privacy.ipHash('203.0.113.7'));
  });

  it('when a prefix is taken, then IPv4 keeps /24 and IPv6 keeps /48', () => {
    expect(ipPrefix('203.0.113.7')).toBe('203.0.113.0/24');
    expect(ipPrefix('2001:db8:abcd:12::1')).toBe('2001:db8:abcd::/48');
    expect(ipPrefix('::1')).toBe('0:0:0::/48');
    expect(ipPrefix('not an ip')).toBe('unknown');
  });

  it('when an email is hashed, then case and surrounding spaces do not matter', () => {
    expect(privacy.emailHash(' Ada@Example.org ')).toBe(privacy.emailHash('ada@example.org'));
  });

  it('when an email is encrypted, then each ciphertext differs and decrypts back; tampering is detected', () => {
    const a = privacy.encryptEmail('ada@example.org');
    const b = privacy.encryptEmail('ada@example.org');
    expect(a.equals(b)).toBe(false);
    expect(privacy.decryptEmail(a)).toBe('ada@example.org');
    a[a.length - 1]! ^= 1;
    expect(() => privacy.decryptEmail(a)).toThrow();
  });
});
