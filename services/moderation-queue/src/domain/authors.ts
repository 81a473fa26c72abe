import { NotFoundError, uuidv7, type BanBody } from '@parley/shared';
import { insertAuditEntry } from '../repositories/audit.repository';
import { findAuthor, setTrusted } from '../repositories/author.repository';
import { findActiveBanByAuthor, insertBan, liftBans } from '../repositories/ban.repository';
import { commentRowToItem, listAuthorComments, lockWaitingByAuthor } from '../repositories/comment.repository';
import { ERASED_AUTHOR_KEY } from '../db/tables';
import type { Actor, UseCaseContext } from './context';
import type { QueueChange } from './queue-live-hub';
import { transition } from './transition';

/** The key erased and network-cleared comments share names nobody: it is nobody's to view, ban or trust. */
function requirePerson(key: string): void {
  if (key === ERASED_AUTHOR_KEY) throw new NotFoundError('Unknown author.');
}

export async function viewAuthor(ctx: UseCaseContext, site: string, key: string) {
  requirePerson(key);
  const now = ctx.now?.() ?? new Date();
  const [author, ban, comments] = [await findAuthor(ctx.db, site, key), await findActiveBanByAuthor(ctx.db, site, key, now), await listAuthorComments(ctx.db, site, key)];
  if (!author && !ban && comments.length === 0) throw new NotFoundError('Unknown author.');
  return {
    key,
    trusted: author?.trusted ?? false,
    approvedCount: author?.approvedCount ?? 0,
    ban: ban ? { reason: ban.reason, expiresAt: ban.expires_at?.toISOString() ?? null, createdAt: ban.created_at.toISOString() } : null,
    comments: comments.map(commentRowToItem),
  };
}

/**
 * Bans an author by every identifier their latest comment carried (email hash, IP hash,
 * fingerprint), optionally rejecting what of theirs still waits for a decision.
 */
export async function banAuthor(ctx: UseCaseContext, actor: Actor, site: string, key: string, body: BanBody): Promise<{ rejected: number }> {
  requirePerson(key);
  const now = ctx.now?.() ?? new Date();
  const changes: QueueChange[] = [];
  await ctx.db.transaction().execute(async (trx) => {
    const [latest] = await listAuthorComments(trx, site, key, 1);
    if (!latest) throw new NotFoundError('Unknown author.');
    const ban = {
      id: uuidv7(now.getTime()),
      site,
      author_key: key,
      email_hash: latest.author_email_hash,
      // Cleared by network-data retention on old comments: then the ban matches by author key only.
      ip_hash: latest.author_ip_hash || null,
      fingerprint: latest.author_fingerprint || null,
      reason: body.reason,
      expires_at: body.expiresAt ? new Date(body.expiresAt) : null,
      created_at: now,
      created_by: actor.keyId,
      lifted_at: null,
    };
    await insertBan(trx, ban);
    if (body.rejectPending) {
      for (const row of await lockWaitingByAuthor(trx, site, key)) {
        const { change } = await transition(trx, row, 'rejected', {
          kind: 'author',
          reasons: [{ code: 'BANNED_AUTHOR', detail: `author banned by a moderator${body.reason ? `: ${body.reason}` : ''}`.slice(0, 500) }],
          actor: { kind: 'moderator', keyId: actor.keyId },
          note: body.reason || null,
          now,
        });
        changes.push(change);
      }
    }
    await insertAuditEntry(trx, {
      keyId: actor.keyId,
      site,
      action: 'author.ban',
      target: key,
      before: null,
      after: { reason: body.reason, expiresAt: body.expiresAt, rejected: changes.map((c) => c.commentId) },
    });
  });
  ctx.afterCommit();
  ctx.live?.publish(changes);
  return { rejected: changes.length };
}

export async function unbanAuthor(ctx: UseCaseContext, actor: Actor, site: string, key: string): Promise<void> {
  const now = ctx.now?.() ?? new Date();
  await ctx.db.transaction().execute(async (trx) => {
    const lifted = await liftBans(trx, site, key, now);
    if (lifted === 0) throw new NotFoundError('The author is not banned.');
    await insertAuditEntry(trx, { keyId: actor.keyId, site, action: 'author.unban', target: key, before: { banned: true }, after: { banned: false } });
  });
}

/** Trusted authors skip first-time pre-moderation. */
export async function trustAuthor(ctx: UseCaseContext, actor: Actor, site: string, key: string, trusted: boolean): Promise<void> {
  requirePerson(key);
  await ctx.db.transaction().execute(async (trx) => {
    const before = await findAuthor(trx, site, key);
    const [known] = await listAuthorComments(trx, site, key, 1);
    if (!before && !known) throw new NotFoundError('Unknown author.');
    await setTrusted(trx, site, key, trusted);
    await insertAuditEntry(trx, { keyId: actor.keyId, site, action: 'author.trust', target: key, before: { trusted: before?.trusted ?? false }, after: { trusted } });
  });
}
