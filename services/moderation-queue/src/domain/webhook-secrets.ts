import { createSecretKey } from 'node:crypto';
import { openText, sealText } from '@parley/shared';

/** Webhook signing secrets at rest: sealed with MODERATION_SECRETS_KEY, opened only to sign. */
export interface SecretBox {
  seal(secret: string): string;
  open(stored: string): string;
}

const SEALED = 'sealed:v1:';

/**
 * A stored secret is `sealed:v1:` and the AES-256-GCM box in base64. Rows written before secrets
 * were sealed hold the secret itself (`whsec_…`): `open` passes those through, and the service
 * seals them at start (`sealLegacyWebhookSecrets`).
 */
export function secretBox(key: Buffer): SecretBox {
  const k = createSecretKey(key);
  return {
    seal: (secret) => `${SEALED}${sealText(k, secret).toString('base64')}`,
    open: (stored) => (stored.startsWith(SEALED) ? openText(k, Buffer.from(stored.slice(SEALED.length), 'base64')) : stored),
  };
}
