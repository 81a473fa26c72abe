import { z } from 'zod';
import { eventSchema } from '../envelope';

export const commentStatusSchema = z.enum(['pending', 'approved', 'held', 'spam', 'rejected', 'removed', 'deleted']);
export type CommentStatus = z.infer<typeof commentStatusSchema>;

export const verdictReasonSchema = z.object({ code: z.string().min(1).max(64), detail: z.string().max(500) });

/** A comment moved from one state to another, by the pipeline or by a moderator. */
export const commentsStatusChangedV1 = eventSchema(
  'comments.status-changed',
  1,
  z.object({
    commentId: z.uuid(),
    threadId: z.string().min(1).max(200),
    from: commentStatusSchema,
    to: commentStatusSchema,
    reasons: z.array(verdictReasonSchema).max(20),
    actor: z.object({ kind: z.enum(['pipeline', 'moderator', 'author']), keyId: z.uuid().nullable() }),
    changedAt: z.iso.datetime(),
  }),
);
export type CommentsStatusChangedV1 = z.infer<typeof commentsStatusChangedV1>;
