import type { Kysely } from 'kysely';
import { inChunks } from '@parley/shared';
import type { ModerationDb, StoredReason } from '../db/tables';
import { insertCommentEvents } from '../repositories/comment-event.repository';
import { deletePendingWebhookDeliveries, eraseCommentRows, lockUnpublishedUnchangedSince, scrubCommentHistory } from '../repositories/erasure.repository';
import type { QueueLivePublisher } from './queue-live-hub';

/** The reason code of a comment whose personal data retention erased. */
export const RETENTION_ERASED = 'RETENTION_ERASED';

/** Comments erased per transaction: a first run on a large table never holds one huge one. */
const CHUNK = 1_000;

/**
 * Retention of unpublished comments (DESIGN §7), in moderation's copy: spam, rejected, removed and
 * deleted comments whose status has not changed for `days` days lose their author's personal data
 * and text as a privacy erasure takes them, history details and notes included, and KEEP their
 * status, decision times and who decided, so queue counts and statistics stay right. Each gets a
 * RETENTION_ERASED history entry (the pipeline's, no change of status) and its webhook calls not
 * yet sent are dropped. What the site's classifier learnt from them stays learnt: that is the point
 * of learning, and no decision applies to an erased comment any more (decide-comment.ts).
 * comment-intake applies the same window to its own copy, so nothing is published, and these
 * comments are long decided: no table lock, unlike a privacy erasure. 0 days keeps everything.
 * Moderators watching the live queue get a `changed` event per comment (same state, now empty).
 * Returns how many comments were erased.
 */
export async function enforceRetention(
  db: Kysely<ModerationDb>,
  days: number,
  { now = new Date(), chunk = CHUNK, signal, live }: { now?: Date; chunk?: number; signal?: AbortSignal; live?: QueueLivePublisher } = {},
): Promise<number> {
  if (days <= 0) return 0;
  const before = new Date(now.getTime() - days * 86_400_000);
  const reason: StoredReason = { code: RETENTION_ERASED, detail: `no status change for ${days} days: its author’s personal data and its text were erased` };
  // Stopping the service ends a long run between two chunks; the next run goes on from there.
  const step = async () => {
    const rows = await db.transaction().execute(async (trx) => {
      const rows = await lockUnpublishedUnchangedSince(trx, before, chunk);
      if (rows.length === 0) return rows;
      const ids = rows.map((r) => r.id);
      await scrubCommentHistory(trx, ids);
      await eraseCommentRows(trx, ids, reason, now, 'kept');
      await insertCommentEvents(
        trx,
        rows.map((r) => ({
          comment_id: r.id,
          site: r.site,
          kind: 'verdict',
          from_state: null,
          to_state: null,
          reasons: [reason],
          actor_kind: 'pipeline',
          actor_key_id: null,
          note: null,
          at: now,
        })),
      );
      const bySite = new Map<string, string[]>();
      for (const r of rows) {
        const ofSite = bySite.get(r.site) ?? [];
        ofSite.push(r.id);
        bySite.set(r.site, ofSite);
      }
      for (const [site, ofSite] of bySite) await deletePendingWebhookDeliveries(trx, site, ofSite);
      return rows;
    });
    const at = now.toISOString();
    live?.publish(rows.map((r) => ({ site: r.site, commentId: r.id, threadId: r.thread_id, from: r.state, to: r.state, at })));
    return rows.length;
  };
  return inChunks(chunk, step, signal);
}
