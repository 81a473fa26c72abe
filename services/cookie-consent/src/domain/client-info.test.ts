import { coarseUserAgent, hashIp, ipPrefix } from './client-info';

describe('client info', () => {
  it('when an address is truncated, then IPv4 keeps /24 and IPv6 keeps /48', () => {
    expect(ipPrefix('203.0.113.77')).toBe('203.0.113.0/24');
    expect(ipPrefix('::ffff:198.51.100.9')).toBe('198.51.100.0/24');
    expect(ipPrefix('2001:db8:abcd:12::1')).toBe('2001:db8:abcd::/48');
    expect(ipPrefix('::1')).toBe('0:0:0::/48');
    expect(ipPrefix('garbage')).toBe('unknown');
  });

  it('when an address is hashed, then the hash depends on the key and matches across IPv4-mapped forms', () => {
    const k1 = Buffer.alloc(32, 1);
    expect(hashIp(k1, '203.0.113.7')).toBe(hashIp(k1, '::ffff:203.0.113.7'));
    expect(hashIp(k1, '203.0.113.7')).not.toBe(hashIp(Buffer.alloc(32, 2), '203.0.113.7'));
  });

  it('when a user agent is coarsened, then only family, major version and OS remain', () => {
    expect(coarseUserAgent('Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Safari/605.1.15')).toBe('Safari 17 / macOS');
    expect(coarseUserAgent('Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:128.0) Gecko/20100101 Firefox/128.0')).toBe('Firefox 128 / Windows');
    expect(coarseUserAgent('Mozilla/5.0 (Linux; Android 14) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36 EdgA/131.0')).toBe('Edge 131 / Android (mobile)');
    expect(coarseUserAgent(undefined)).toBe('unknown');
  });
});
