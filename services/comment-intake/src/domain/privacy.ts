import { createHmac, hash, createSecretKey, hkdfSync, type KeyObject } from 'node:crypto';
import { isIPv4, isIPv6 } from 'node:net';
import { openText as open, randomSlice, sealText as seal } from '@parley/shared';

/**
 * Everything intake knows about a person is keyed or encrypted: IPs and emails become HMACs (so
 * limits, bans and lookups work without the raw values), the email itself is kept only under
 * AES-256-GCM. Each purpose gets its own subkey, so one hash can never be matched against another.
 */
export interface Privacy {
  ipHash(ip: string): string;
  /** /24 of an IPv4 address, /48 of an IPv6 one: enough for a moderator to spot a network. */
  ipPrefix(ip: string): string;
  /** One reader (IP + user agent), for "one report per reader". */
  fingerprint(ip: string, userAgent: string): string;
  emailHash(email: string): string;
  encryptEmail(email: string): Buffer;
  decryptEmail(sealed: Buffer): string;
  /** AES-256-GCM with the email key, for other personal data at rest (stored idempotent answers). */
  seal(plain: string): Buffer;
  open(sealed: Buffer): string;
  /** Form tokens are signed with this subkey. */
  readonly formTokenKey: Buffer;
}

const subkey = (key: Buffer, purpose: string) => Buffer.from(hkdfSync('sha256', key, Buffer.alloc(0), `parley-intake:${purpose}`, 32));

export function createPrivacy(hashKey: Buffer, rawEmailKey: Buffer): Privacy {
  // KeyObjects are imported once; raw buffers would be re-imported on every call.
  const ipKey = createSecretKey(subkey(hashKey, 'ip'));
  const fpKey = createSecretKey(subkey(hashKey, 'fingerprint'));
  const emailHashKey = createSecretKey(subkey(hashKey, 'email'));
  const emailKey = createSecretKey(rawEmailKey);
  const hmac = (key: KeyObject, value: string) => createHmac('sha256', key).update(value).digest('hex');
  return {
    ipHash: (ip) => hmac(ipKey, normaliseIp(ip)),
    ipPrefix,
    fingerprint: (ip, ua) => hmac(fpKey, `${normaliseIp(ip)}\n${ua}`),
    emailHash: (email) => hmac(emailHashKey, email.trim().toLowerCase()),
    encryptEmail: (email) => seal(emailKey, email),
    decryptEmail: (sealed) => open(emailKey, sealed),
    seal: (plain) => seal(emailKey, plain),
    open: (sealed) => open(emailKey, sealed),
    formTokenKey: subkey(hashKey, 'form-token'),
  };
}

/** Author tokens are 256 random bits: a plain SHA-256 is enough to store them safely. */
export function newAuthorToken(): { token: string; hash: string } {
  const token = randomSlice(32).toString('base64url');
  return { token, hash: hashAuthorToken(token) };
}

export function hashAuthorToken(token: string): string {
  return hash('sha256', token, 'hex');
}

/** `::ffff:203.0.113.7` (IPv4 on a dual-stack socket) is the IPv4 address. */
function normaliseIp(ip: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  return (mapped?.[1] ?? ip).toLowerCase();
}

export function ipPrefix(raw: string): string {
  const ip = normaliseIp(raw);
  if (isIPv4(ip)) return `${ip.split('.').slice(0, 3).join('.')}.0/24`;
  if (isIPv6(ip)) {
    const [head = '', tail = ''] = ip.split('::');
    const left = head ? head.split(':') : [];
    const right = tail ? tail.split(':') : [];
    const groups = ip.includes('::') ? [...left, ...Array(8 - left.length - right.length).fill('0'), ...right] : left;
    return `${groups.slice(0, 3).map((g) => g.replace(/^0+(?=.)/, '')).join(':')}::/48`;
  }
  return 'unknown';
}
