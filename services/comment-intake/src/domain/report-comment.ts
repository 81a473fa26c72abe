import { ConflictError, NotFoundError, Streams, enqueue, makeEnvelope, uuidv7, type CommentsReportedV1, type ReportCommentBody } from '@parley/shared';
import { SCHEMA } from '../db/tables';
import { findCommentById } from '../repositories/comment.repository';
import { insertReport } from '../repositories/report.repository';
import type { IntakeContext } from './context';

/**
 * A reader reports a public comment. One report per reader (keyed fingerprint of IP and user agent)
 * per comment; moderation counts them against the site's threshold.
 */
export async function reportComment(
  ctx: IntakeContext,
  input: { commentId: string; body: ReportCommentBody; ip: string; userAgent: string },
): Promise<{ reportId: string }> {
  const now = ctx.now();
  const fingerprint = ctx.privacy.fingerprint(input.ip, input.userAgent);
  const reportId = uuidv7(now.getTime());
  await ctx.db.transaction().execute(async (trx) => {
    const comment = await findCommentById(trx, input.commentId);
    if (!comment || comment.status !== 'approved') throw new NotFoundError('No such comment.');
    const note = input.body.note || null;
    if (!(await insertReport(trx, { id: reportId, commentId: comment.id, fingerprint, reason: input.body.reason, note }))) {
      throw new ConflictError('You have reported this comment already.');
    }
    const payload: CommentsReportedV1['payload'] = {
      reportId,
      commentId: comment.id,
      threadId: comment.thread_id,
      reason: input.body.reason,
      note,
      reporterFingerprint: fingerprint,
      reportedAt: now.toISOString(),
    };
    await enqueue(trx, SCHEMA, Streams.commentsReported, makeEnvelope(Streams.commentsReported, 1, comment.site_id, payload, now));
  });
  ctx.afterCommit();
  return { reportId };
}
