import { createHash } from 'node:crypto';
import { z } from 'zod';

/** Thrown at start-up when the environment does not fit the service's config schema. */
export class ConfigError extends Error {
  constructor(readonly issues: string[]) {
    super(`Invalid configuration:\n  ${issues.join('\n  ')}`);
    this.name = 'ConfigError';
  }
}

/**
 * Parses the environment with a zod object whose keys are the variable names, and freezes the
 * result. Only config files call this: nothing else reads process.env.
 */
export function loadConfig<S extends z.ZodType>(schema: S, env: NodeJS.ProcessEnv = process.env): Readonly<z.infer<S>> {
  // An empty variable means "unset", as in most shells' `FOO= cmd`.
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const result = schema.safeParse(cleaned);
  if (!result.success) {
    throw new ConfigError(result.error.issues.map((i) => `${i.path.join('.') || '(env)'}: ${i.message}`));
  }
  return Object.freeze(result.data);
}

const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

/** Helpers for env schemas: every variable arrives as a string. */
export const env = {
  port: (def: number) => z.coerce.number().int().min(0).max(65535).default(def),
  int: (def: number, min = 0) => z.coerce.number().int().min(min).default(def),
  bool: (def: boolean) => bool.default(def),
  url: () => z.string().url(),
  /**
   * A secret given as 64 hex characters (32 bytes); the message never echoes the value. An already
   * parsed key (a Buffer) passes too: the runtimes hand services their parsed config, parsed again.
   */
  key32: () =>
    z.preprocess(
      (v) => (Buffer.isBuffer(v) ? v.toString('hex') : v),
      z
        .string()
        .regex(/^[0-9a-fA-F]{64}$/, 'must be 64 hex characters (32 bytes); generate one with `openssl rand -hex 32`')
        .transform((v) => Buffer.from(v, 'hex')),
    ),
  /** Several such secrets, comma-separated (unset or empty: none); for keys kept only to open what they sealed. */
  key32List: () =>
    z.preprocess(
      (v) => (Array.isArray(v) ? v.map((k) => (Buffer.isBuffer(k) ? k.toString('hex') : k)).join(',') : v),
      z
        .string()
        .default('')
        .transform((v) => v.split(',').map((k) => k.trim()).filter(Boolean))
        .pipe(
          z.array(
            z
              .string()
              .regex(/^[0-9a-fA-F]{64}$/, 'each must be 64 hex characters (32 bytes), comma-separated')
              .transform((k) => Buffer.from(k, 'hex')),
          ),
        ),
    ),
};

/**
 * The development default of a key a service refuses to start without in production: public by
 * design (anyone can read this line), so what it protects is protected from nobody.
 */
export const insecureDevKey = (purpose: string): Buffer => createHash('sha256').update(`parley-INSECURE-dev-only-key:${purpose}`).digest();

/** The variables every service reads. */
export const commonEnvSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  DATABASE_URL: z.string().url().optional(),
  PG_POOL_SIZE: env.int(10, 1),
  REDIS_URL: z.string().url().optional(),
  REDIS_KEY_PREFIX: z.string().default(''),
  DATA_DIR: z.string().default('./data'),
  STREAM_MAX_LEN: env.int(1_000_000, 1000),
  STREAM_RETENTION_HOURS: env.int(168, 0),
  STREAM_MAX_DELIVERIES: env.int(5, 1),
  STREAM_CLAIM_IDLE_MS: env.int(30_000, 100),
  TRUST_PROXY: z.string().default('false'),
  SHUTDOWN_TIMEOUT_MS: env.int(10_000, 100),
});
export type CommonConfig = z.infer<typeof commonEnvSchema>;

/** Express's `trust proxy` from a string: false, true, a hop count, or a list of addresses/subnets. */
export function parseTrustProxy(value: string): boolean | number | string {
  if (value === 'false' || value === '0' || value === '') return false;
  if (value === 'true') return true;
  if (/^\d+$/.test(value)) return Number(value);
  return value;
}
export interface ZodIssueLike { path: PropertyKey[]; message: string }
