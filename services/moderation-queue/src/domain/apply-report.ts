import type { Kysely } from 'kysely';
import type { CommentsReportedV1 } from '@parley/shared';
import type { ModerationDb } from '../db/tables';
import { insertCommentEvent } from '../repositories/comment-event.repository';
import { lockCommentAnySite, setReportCount } from '../repositories/comment.repository';
import { findPolicy } from '../repositories/policy.repository';
import { countReports, insertReport } from '../repositories/report.repository';
import { findSiteById } from '../repositories/site.repository';
import type { QueueChange } from './queue-live-hub';
import { transition } from './transition';

/**
 * Counts a reader's report (once per reader and comment). Past the site's threshold an approved
 * comment goes back to `held`. A report that arrives before its comment is kept and counted when
 * the comment arrives.
 */
export async function applyReport(trx: Kysely<ModerationDb>, event: CommentsReportedV1, now: Date): Promise<QueueChange | undefined> {
  const p = event.payload;
  const fresh = await insertReport(trx, {
    id: p.reportId,
    site: event.site,
    comment_id: p.commentId,
    reason: p.reason,
    note: p.note,
    reporter_fingerprint: p.reporterFingerprint,
    reported_at: new Date(p.reportedAt),
  });
  if (!fresh) return undefined;
  const row = await lockCommentAnySite(trx, p.commentId);
  if (!row || row.site !== event.site) return undefined;
  const count = await countReports(trx, row.id);
  await setReportCount(trx, row.id, count);
  const reason = { code: 'REPORTED', detail: `${count} report(s); latest: ${p.reason}${p.note ? ` — ${p.note}` : ''}`.slice(0, 500) };
  await insertCommentEvent(trx, {
    comment_id: row.id,
    site: row.site,
    kind: 'report',
    from_state: null,
    to_state: null,
    reasons: [reason],
    actor_kind: 'reader',
    actor_key_id: null,
    note: null,
    at: now,
  });
  const site = await findSiteById(trx, row.site);
  const threshold = site?.settings.moderation.reportThreshold ?? 0;
  const policy = await findPolicy(trx, row.site);
  if (row.state !== 'approved' || threshold === 0 || count < threshold || !policy.reports_hold) return undefined;
  const { change } = await transition(trx, row, 'held', {
    kind: 'report',
    reasons: [{ code: 'REPORTED', detail: `${count} report(s) reached the threshold of ${threshold}` }],
    actor: { kind: 'pipeline', keyId: null },
    now,
  });
  return change;
}
