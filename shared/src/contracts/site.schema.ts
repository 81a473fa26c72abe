import { z } from 'zod';
import { siteIdSchema } from './envelope';

/** An origin as browsers send it: scheme, host and optional port, nothing else. */
export const originSchema = z
  .string()
  .max(255)
  .refine((v) => {
    try {
      const u = new URL(v);
      return (u.protocol === 'https:' || u.protocol === 'http:') && u.origin === v;
    } catch {
      return false;
    }
  }, 'must be an origin such as https://news.example.org (scheme, host, optional port; no path)');

export const commentSettingsSchema = z.object({
  maxLength: z.number().int().min(1).max(20_000).default(5_000),
  maxDepth: z.number().int().min(0).max(10).default(3),
  pageSize: z.number().int().min(1).max(200).default(50),
  editWindowMinutes: z.number().int().min(0).max(1_440).default(15),
  closeAfterDays: z.number().int().min(0).max(3_650).default(0),
  requireEmail: z.boolean().default(false),
  minSubmitSeconds: z.number().int().min(0).max(600).default(3),
  language: z.string().min(2).max(16).default('en'),
});

export const moderationSettingsSchema = z.object({
  mode: z.enum(['pre', 'post', 'first-time']).default('post'),
  linkLimit: z.number().int().min(0).max(100).default(2),
  reportThreshold: z.number().int().min(0).max(1_000).default(3),
});

export const siteSettingsSchema = z.object({
  comments: commentSettingsSchema.prefault({}),
  moderation: moderationSettingsSchema.prefault({}),
});
export type SiteSettings = z.infer<typeof siteSettingsSchema>;

export const siteStatusSchema = z.enum(['active', 'closed', 'deleted']);

/** A site as every service knows it (the payload of `sites.changed`). */
export const siteSchema = z.object({
  id: siteIdSchema,
  name: z.string().trim().min(1).max(200),
  allowedOrigins: z.array(originSchema).max(50),
  settings: siteSettingsSchema,
  status: siteStatusSchema,
  /** Grows by one on every change: read models apply a snapshot only if it is newer. */
  version: z.number().int().positive(),
  updatedAt: z.iso.datetime(),
});
export type Site = z.infer<typeof siteSchema>;

export const apiKeyRoleSchema = z.enum(['admin', 'moderator']);
export type ApiKeyRole = z.infer<typeof apiKeyRoleSchema>;

/** What other services learn of an API key: never the secret, only its SHA-256. */
export const apiKeySnapshotSchema = z.object({
  id: z.uuid(),
  prefix: z.string().min(4).max(32),
  hash: z.string().regex(/^[0-9a-f]{64}$/),
  role: apiKeyRoleSchema,
  /** The sites it may act on; `['*']` for every site (admin keys only). */
  sites: z.array(z.union([siteIdSchema, z.literal('*')])).min(1),
  revokedAt: z.iso.datetime().nullable(),
  version: z.number().int().positive(),
});
export type ApiKeySnapshot = z.infer<typeof apiKeySnapshotSchema>;
