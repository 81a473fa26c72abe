import { createSecretKey, type KeyObject } from 'node:crypto';
import { openText, sealText } from '@parley/shared';

/** Webhook signing secrets at rest: sealed with MODERATION_SECRETS_KEY, opened only to sign. */
export interface SecretBox {
  seal(secret: string): string;
  /** The secret; throws when it was sealed under a key this box does not hold. */
  open(stored: string): string;
  /** True when `stored` is sealed under the current key (nothing to do at start). */
  isCurrent(stored: string): boolean;
}

const SEALED = 'sealed:v1:';

/**
 * A stored secret is `sealed:v1:` and the AES-256-GCM box in base64. Rows written before secrets
 * were sealed hold the secret itself (`whsec_…`): `open` passes those through. `previous` are the
 * keys MODERATION_SECRETS_KEY had before a rotation: they still open what they sealed, and the
 * service seals all of those again under the current key at start (`sealWebhookSecrets`).
 */
export function secretBox(key: Buffer, previous: readonly Buffer[] = []): SecretBox {
  const current = createSecretKey(key);
  const keys = [current, ...previous.map((k) => createSecretKey(k))];
  const tryOpen = (k: KeyObject, stored: string) => {
    try {
      return openText(k, Buffer.from(stored.slice(SEALED.length), 'base64'));
    } catch {
      return undefined; // AES-GCM refuses a box sealed under another key
    }
  };
  return {
    seal: (secret) => `${SEALED}${sealText(current, secret).toString('base64')}`,
    open(stored) {
      if (!stored.startsWith(SEALED)) return stored;
      for (const k of keys) {
        const secret = tryOpen(k, stored);
        if (secret !== undefined) return secret;
      }
      throw new Error('webhook secret sealed under a key that is neither MODERATION_SECRETS_KEY nor in MODERATION_SECRETS_KEY_PREVIOUS');
    },
    isCurrent: (stored) => stored.startsWith(SEALED) && tryOpen(current, stored) !== undefined,
  };
}
