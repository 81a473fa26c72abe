import type { z } from 'zod';
import { commonEnvSchema, env } from '@parley/shared';

export const configSchema = commonEnvSchema.extend({
  PORT: env.port(4001),
});
export type Config = z.infer<typeof configSchema>;
