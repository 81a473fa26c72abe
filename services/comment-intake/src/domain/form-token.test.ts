import { checkFormToken, issueFormToken } from './form-token';

const key = Buffer.alloc(32, 7);
const shown = new Date('2026-01-15T10:00:00Z');
const later = (ms: number) => new Date(shown.getTime() + ms);
const TTL = 3_600_000;

describe('form tokens', () => {
  it('when a token is checked for its own site and thread, then it is valid and tells the elapsed time', () => {
    const token = issueFormToken(key, 'daily', 't1', shown);
    expect(checkFormToken(key, token, 'daily', 't1', later(4200), TTL)).toEqual({ formToken: 'valid', elapsedMs: 4200 });
  });

  it('when a token is used on another thread or site, then it is foreign', () => {
    const token = issueFormToken(key, 'daily', 't1', shown);
    expect(checkFormToken(key, token, 'daily', 't2', later(5000), TTL).formToken).toBe('foreign');
    expect(checkFormToken(key, token, 'weekly', 't1', later(5000), TTL).formToken).toBe('foreign');
  });

  it('when a token is older than its lifetime, then it is expired', () => {
    const token = issueFormToken(key, 'daily', 't1', shown);
    expect(checkFormToken(key, token, 'daily', 't1', later(TTL + 1), TTL).formToken).toBe('expired');
  });

  it('when a token was signed with another key or altered, then it is invalid', () => {
    const token = issueFormToken(Buffer.alloc(32, 8), 'daily', 't1', shown);
    expect(checkFormToken(key, token, 'daily', 't1', later(5000), TTL).formToken).toBe('invalid');
    const [payload, sig] = issueFormToken(key, 'daily', 't1', shown).split('.');
    const forged = Buffer.from(JSON.stringify({ v: 1, s: 'daily', t: 't1', i: 0 })).toString('base64url');
    expect(checkFormToken(key, `${forged}.${sig}`, 'daily', 't1', later(5000), TTL).formToken).toBe('invalid');
    expect(checkFormToken(key, `${payload}`, 'daily', 't1', later(5000), TTL).formToken).toBe('invalid');
  });

  it('when there is no token, then it is missing', () => {
    expect(checkFormToken(key, undefined, 'daily', 't1', shown, TTL)).toEqual({ formToken: 'missing', elapsedMs: null });
  });
});
