import { createHash, randomBytes } from 'node:crypto';

/** Secrets look like `pk_<12 chars>_<32 chars>`; the first part is the displayable prefix. */
export const API_KEY_PATTERN = /^pk_[A-Za-z0-9]{12}_[A-Za-z0-9]{32}$/;

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

function randomString(length: number): string {
  // Rejection sampling keeps every character equally likely.
  let out = '';
  while (out.length < length) {
    for (const byte of randomBytes(length * 2)) {
      if (byte < 248 && out.length < length) out += ALPHABET[byte % 62];
    }
  }
  return out;
}

export function generateApiKey(): { secret: string; prefix: string; hash: string } {
  const prefix = `pk_${randomString(12)}`;
  const secret = `${prefix}_${randomString(32)}`;
  return { secret, prefix, hash: hashApiKey(secret) };
}

/** Keys are stored and compared as SHA-256: high-entropy secrets need no slow hash. */
export function hashApiKey(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}

export function prefixOf(secret: string): string {
  return secret.slice(0, 15);
}
