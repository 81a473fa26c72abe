import { pruneInbox } from '@parley/shared';
import { SCHEMA } from '../db/tables';
import { deleteIdempotencyKeysBefore } from '../repositories/idempotency.repository';
import type { IntakeContext } from './context';

/** A retry after a day is a new request; the inbox must outlive any redelivery by far. */
export const IDEMPOTENCY_KEY_TTL_MS = 24 * 3_600_000;
export const INBOX_TTL_MS = 7 * 24 * 3_600_000;

/** Forgets stored idempotent answers (they hold sealed author tokens) and old inbox entries. */
export async function pruneExpired(ctx: IntakeContext): Promise<{ idempotencyKeys: number; inbox: number }> {
  const now = ctx.now().getTime();
  const idempotencyKeys = await deleteIdempotencyKeysBefore(ctx.db, new Date(now - IDEMPOTENCY_KEY_TTL_MS));
  const inbox = await pruneInbox(ctx.db, SCHEMA, new Date(now - INBOX_TTL_MS));
  return { idempotencyKeys, inbox };
}
