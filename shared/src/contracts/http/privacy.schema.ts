import { z } from 'zod';
import { commentStatusSchema } from '../events/comments-status-changed.v1';
import { lineField } from './comments.schema';

/**
 * Export and erasure of one person's data (DESIGN §7). An operator names the person by email, on
 * one site their admin key covers; a reader erases a comment of theirs with its author token.
 */
export const privacyRequestBodySchema = z.strictObject({
  kind: z.enum(['export', 'erase']),
  email: lineField(3, 254).pipe(z.email('must be an email address')),
});
export type PrivacyRequestBody = z.infer<typeof privacyRequestBodySchema>;

/** Most comments one export returns; `truncated` says there were more. */
export const PRIVACY_EXPORT_MAX_COMMENTS = 10_000;

/** One comment as its author wrote it, with what the site did with it. */
export const exportedCommentSchema = z.object({
  id: z.uuid(),
  thread: z.string(),
  parentId: z.uuid().nullable(),
  status: commentStatusSchema,
  name: z.string(),
  email: z.string().nullable(),
  website: z.string().nullable(),
  text: z.string(),
  ipPrefix: z.string().describe('The truncated network the comment came from (/24 or /48); the address itself is never stored'),
  createdAt: z.iso.datetime(),
  statusChangedAt: z.iso.datetime(),
});

export const privacyExportSchema = z.object({
  requestId: z.uuid(),
  kind: z.literal('export'),
  comments: z.array(exportedCommentSchema),
  truncated: z.boolean(),
  /**
   * An operator's export: the key moderation-queue knows the person by on the site. Its
   * `GET /v1/sites/:site/authors/:authorKey` holds moderation's records about them (their comments
   * with every verdict and reason, trust, ban). Null for a reader's export of one comment.
   */
  authorKey: z.string().nullable(),
});
export type PrivacyExport = z.infer<typeof privacyExportSchema>;

export const privacyErasureSchema = z.object({
  requestId: z.uuid(),
  kind: z.literal('erase'),
  /** Comments whose personal data was erased now (a repeated request erases none). */
  erased: z.number().int().nonnegative(),
});
export type PrivacyErasure = z.infer<typeof privacyErasureSchema>;
