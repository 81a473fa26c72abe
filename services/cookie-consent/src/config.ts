import { z } from 'zod';
import { commonEnvSchema, env } from '@parley/shared';

const hex32 = z.string().regex(/^[0-9a-fA-F]{64}$/, 'must be 64 hex characters (32 bytes); generate one with `openssl rand -hex 32`');

/**
 * Idempotent on purpose (strings stay strings): the embedded launcher and the test harness hand
 * `create()` an already-parsed object, which the service parses again with this schema.
 */
export const configSchema = commonEnvSchema
  .extend({
    PORT: env.port(4003),
    /**
     * Ed25519 private key seed (hex) that signs consent receipts; its public key is at /.well-known/jwks.json.
     * To rotate, set a new one: every key that ever signed stays published there, so old receipts verify.
     */
    CONSENT_SIGNING_KEY: hex32.optional(),
    /** HMAC key (hex) for the keyed IP hash stored with each record and used for rate limits. */
    CONSENT_IP_HASH_KEY: hex32.optional(),
    /** Consent writes accepted per minute from one IP address (IPv6: one /56), counted across instances in Redis. */
    CONSENT_RATE_LIMIT_PER_MINUTE: env.int(120, 1),
    /** Consent records older than this many days are deleted (0 keeps them forever). */
    CONSENT_RETENTION_DAYS: env.int(1095),
    /** How often the retention job runs. */
    CONSENT_RETENTION_INTERVAL_MS: env.int(3_600_000, 1000),
    /** Issuer (`iss`) put into receipts, e.g. https://consent.example.org. */
    CONSENT_PUBLIC_URL: z.url().optional(),
  })
  .superRefine((c, ctx) => {
    if (c.NODE_ENV !== 'production') return;
    for (const key of ['CONSENT_SIGNING_KEY', 'CONSENT_IP_HASH_KEY'] as const) {
      if (!c[key]) ctx.addIssue({ code: 'custom', path: [key], message: 'is required in production (the development default is public)' });
    }
  });
export type Config = z.infer<typeof configSchema>;

/**
 * Development defaults, never used in production (the schema refuses to start without keys there).
 * Public by design: receipts signed with them prove nothing.
 */
export const DEV_SIGNING_KEY = '9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60';
export const DEV_IP_HASH_KEY = '00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff';
