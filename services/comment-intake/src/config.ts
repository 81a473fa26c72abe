import { z } from 'zod';
import { commonEnvSchema, env, insecureDevKey } from '@parley/shared';

/** Read twice (the runtime hands over a parsed config): env.key32 accepts its own output. */
const key32 = env.key32().optional();

export const configSchema = commonEnvSchema
  .extend({
    PORT: env.port(4001),
    /** 32 bytes (hex): keys the HMACs of IPs, emails, reader fingerprints and form tokens. */
    INTAKE_HASH_KEY: key32,
    /** 32 bytes (hex): AES-256-GCM key for stored email addresses. */
    INTAKE_EMAIL_KEY: key32,
    /** How long a form token stays valid. */
    FORM_TOKEN_TTL_SECONDS: env.int(86_400, 60),
    /** Rate limits per minute (0 switches one off): per hashed IP, per email hash, per site. */
    RATE_LIMIT_IP_PER_MINUTE: env.int(10),
    RATE_LIMIT_EMAIL_PER_MINUTE: env.int(5),
    RATE_LIMIT_SITE_PER_MINUTE: env.int(600),
    /**
     * How long a thread's version (the basis of its cached pages and ETags) is trusted before it is
     * read again: the fallback for a change made on another instance whose live notice was lost.
     */
    THREAD_VERSION_TTL_MS: env.int(1_000, 0),
    /**
     * Days after which spam, rejected, removed and deleted comments lose their author's personal data
     * (hourly; 0 keeps it). moderation-queue reads the same setting for its copy.
     */
    RETENTION_UNPUBLISHED_DAYS: env.int(30),
    /** Days after which every comment loses its IP hash, network prefix and reader fingerprint (hourly; 0 keeps them). */
    RETENTION_NETWORK_DAYS: env.int(180),
    /** Largest accepted JSON body. */
    BODY_LIMIT: z.string().regex(/^\d+(kb|mb)?$/).default('32kb'),
  })
  .superRefine((c, ctx) => {
    if (c.NODE_ENV !== 'production') return;
    for (const name of ['INTAKE_HASH_KEY', 'INTAKE_EMAIL_KEY'] as const) {
      if (!c[name]) ctx.addIssue({ code: 'custom', path: [name], message: 'is required in production (generate with `openssl rand -hex 32`)' });
    }
  })
  .transform((c) => ({
    ...c,
    INTAKE_HASH_KEY: c.INTAKE_HASH_KEY ?? insecureDevKey('hash'),
    INTAKE_EMAIL_KEY: c.INTAKE_EMAIL_KEY ?? insecureDevKey('email'),
  }));
export type Config = z.infer<typeof configSchema>;

/**
 * The runtime hands every service the common config (the embedded launcher and the test harness
 * do not know intake's variables), so intake completes it here; parsing twice is harmless.
 */
export function intakeConfig(config: Record<string, unknown>): Config {
  return configSchema.parse(config);
}
