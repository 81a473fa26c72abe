import { z } from 'zod';
import { commonEnvSchema, env, insecureDevKey } from '@parley/shared';

/** Development default of MODERATION_SECRETS_KEY, refused in production (see insecureDevKey). */
export const DEV_SECRETS_KEY = insecureDevKey('moderation-secrets');

export const configSchema = commonEnvSchema.extend({
  PORT: env.port(4002),
  /** An admin key to create on first start (pk_…); unset → one is generated and printed once. */
  BOOTSTRAP_ADMIN_KEY: z.string().optional(),
  /** Consumers of `comments.submitted` per process (one group: processes and consumers share the stream). */
  MODERATION_WORKER_CONCURRENCY: env.int(2, 1),
  /** Most comments one consumer judges in one transaction (whatever is waiting, up to this; ADR 0010). */
  MODERATION_BATCH_SIZE: env.int(200, 1),
  /** Failed API-key attempts per client address per minute before 429. */
  AUTH_FAILURES_PER_MINUTE: env.int(20, 1),
  WEBHOOK_POLL_MS: env.int(500, 10),
  /** First webhook retry after this; doubled per attempt (capped at an hour). */
  WEBHOOK_RETRY_BASE_MS: env.int(5_000, 10),
  WEBHOOK_MAX_ATTEMPTS: env.int(8, 1),
  WEBHOOK_TIMEOUT_MS: env.int(5_000, 100),
  /** Live queue streams send a comment line this often so proxies keep them open. */
  LIVE_HEARTBEAT_MS: env.int(25_000, 100),
  /**
   * Days after their last status change that spam, rejected, removed and deleted comments keep their
   * author's personal data in moderation's copy (0 keeps it). comment-intake reads the same setting for its own.
   */
  RETENTION_UNPUBLISHED_DAYS: env.int(30),
  /**
   * Days after submission that every comment, whatever its state, keeps its author's IP hash, IP
   * prefix and fingerprint in moderation's copy (0 keeps them). comment-intake reads the same setting for its own.
   */
  RETENTION_NETWORK_DAYS: env.int(180),
  /** How often the retention job runs (both windows). */
  RETENTION_INTERVAL_MS: env.int(3_600_000, 1000),
  /** 32 bytes (hex): the AES-256-GCM key webhook signing secrets are stored under. Required in production. */
  MODERATION_SECRETS_KEY: env.key32().optional(),
  /** Keys MODERATION_SECRETS_KEY had before: secrets sealed under them are sealed again under it at start. */
  MODERATION_SECRETS_KEY_PREVIOUS: env.key32List(),
})
  .superRefine((c, ctx) => {
    if (c.NODE_ENV === 'production' && !c.MODERATION_SECRETS_KEY) {
      ctx.addIssue({ code: 'custom', path: ['MODERATION_SECRETS_KEY'], message: 'is required in production (generate with `openssl rand -hex 32`)' });
    }
  })
  .transform((c) => ({ ...c, MODERATION_SECRETS_KEY: c.MODERATION_SECRETS_KEY ?? DEV_SECRETS_KEY }));
export type Config = z.infer<typeof configSchema>;

/** The config from whatever the runtime hands over (tests pass a partial, unparsed object). */
export function moderationConfig(given: object): Config {
  return configSchema.parse(Object.fromEntries(Object.entries(given).filter(([, v]) => v !== undefined)));
}
