import { z } from 'zod';
import { eventSchema } from '../envelope';

export const reportReasonSchema = z.enum(['spam', 'abuse', 'off-topic', 'other']);

/** A reader reported a comment; the reporter is known only by a keyed fingerprint. */
export const commentsReportedV1 = eventSchema(
  'comments.reported',
  1,
  z.object({
    reportId: z.uuid(),
    commentId: z.uuid(),
    threadId: z.string().min(1).max(200),
    reason: reportReasonSchema,
    note: z.string().max(500).nullable(),
    reporterFingerprint: z.string().regex(/^[0-9a-f]{64}$/),
    reportedAt: z.iso.datetime(),
  }),
);
export type CommentsReportedV1 = z.infer<typeof commentsReportedV1>;
