import { z } from 'zod';
import { commonEnvSchema, env } from '@parley/shared';

export const configSchema = commonEnvSchema.extend({
  PORT: env.port(4002),
  /** An admin key to create on first start (pk_…); unset → one is generated and printed once. */
  BOOTSTRAP_ADMIN_KEY: z.string().optional(),
});
export type Config = z.infer<typeof configSchema>;
