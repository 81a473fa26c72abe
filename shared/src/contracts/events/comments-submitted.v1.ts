import { z } from 'zod';
import { eventSchema } from '../envelope';

const hex64 = z.string().regex(/^[0-9a-f]{64}$/);

/**
 * A comment intake accepted (answered 202). Carries what the moderation pipeline needs to judge it
 * and to show it to moderators; the email itself never leaves intake (only its keyed hash), nor the IP.
 */
export const commentsSubmittedV1 = eventSchema(
  'comments.submitted',
  1,
  z.object({
    commentId: z.uuid(),
    threadId: z.string().min(1).max(200),
    threadUrl: z.string().max(2_000).nullable(),
    parentId: z.uuid().nullable(),
    author: z.object({
      name: z.string().min(1).max(100),
      website: z.string().max(500).nullable(),
      emailDomain: z.string().max(255).nullable(),
      emailHash: hex64.nullable(),
      ipHash: hex64,
      ipPrefix: z.string().max(64),
      fingerprint: hex64,
    }),
    text: z.string().min(1).max(20_000),
    signals: z.object({
      honeypot: z.boolean(),
      elapsedMs: z.number().int().nullable(),
      formToken: z.enum(['valid', 'missing', 'expired', 'foreign', 'invalid']),
    }),
    submittedAt: z.iso.datetime(),
  }),
);
export type CommentsSubmittedV1 = z.infer<typeof commentsSubmittedV1>;
