import { signWebhook, verifyWebhook } from './webhooks';

describe('webhook signatures', () => {
  it('when a body is signed, then the receiver verifies it with the same secret and timestamp window only', () => {
    const header = signWebhook('whsec_x', '{"a":1}', 1_700_000_000);
    expect(header).toMatch(/^t=1700000000,v1=[0-9a-f]{64}$/);
    expect(verifyWebhook('whsec_x', '{"a":1}', header, 1_700_000_100)).toBe(true);
    expect(verifyWebhook('whsec_y', '{"a":1}', header, 1_700_000_100)).toBe(false);
    expect(verifyWebhook('whsec_x', '{"a":2}', header, 1_700_000_100)).toBe(false);
    expect(verifyWebhook('whsec_x', '{"a":1}', header, 1_700_001_000)).toBe(false);
    expect(verifyWebhook('whsec_x', '{"a":1}', 'garbage', 1_700_000_000)).toBe(false);
  });
});
