import { z } from 'zod';
import { siteIdSchema } from '../envelope';
import {
  apiKeyRoleSchema,
  commentSettingsSchema,
  moderationSettingsSchema,
  originSchema,
  siteSettingsSchema,
  siteStatusSchema,
} from '../site.schema';

const name = z.string().trim().min(1).max(200);

export const createSiteBodySchema = z.strictObject({
  id: siteIdSchema,
  name,
  allowedOrigins: z.array(originSchema).max(50).default([]),
  settings: siteSettingsSchema.prefault({}),
});
export type CreateSiteBody = z.infer<typeof createSiteBodySchema>;

/** A partial update: given settings sections are merged into the current ones, field by field. */
export const updateSiteBodySchema = z.strictObject({
  name: name.optional(),
  allowedOrigins: z.array(originSchema).max(50).optional(),
  status: siteStatusSchema.optional(),
  settings: z
    .strictObject({
      comments: commentSettingsSchema.partial().strict().optional(),
      moderation: moderationSettingsSchema.partial().strict().optional(),
    })
    .optional(),
});
export type UpdateSiteBody = z.infer<typeof updateSiteBodySchema>;

export const createApiKeyBodySchema = z
  .strictObject({
    role: apiKeyRoleSchema,
    sites: z.array(z.union([siteIdSchema, z.literal('*')])).min(1).max(100),
    label: z.string().trim().max(200).default(''),
  })
  .refine((b) => !b.sites.includes('*') || b.role === 'admin', {
    message: 'only admin keys may cover every site (*)',
    path: ['sites'],
  })
  .refine((b) => !b.sites.includes('*') || b.sites.length === 1, {
    message: '* stands alone',
    path: ['sites'],
  });
export type CreateApiKeyBody = z.infer<typeof createApiKeyBodySchema>;

export const apiKeyViewSchema = z.object({
  id: z.uuid(),
  prefix: z.string(),
  role: apiKeyRoleSchema,
  sites: z.array(z.string()),
  label: z.string(),
  createdAt: z.iso.datetime(),
  revokedAt: z.iso.datetime().nullable(),
});
export type ApiKeyView = z.infer<typeof apiKeyViewSchema>;
