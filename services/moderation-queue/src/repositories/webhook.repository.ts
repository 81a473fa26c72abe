import { sql, type ExpressionBuilder, type Kysely } from 'kysely';
import { uuidv7 } from '@parley/shared';
import { SCHEMA, type ModerationDb, type WebhookRow } from '../db/tables';

type Db = Kysely<ModerationDb>;

export async function insertWebhook(db: Db, w: WebhookRow): Promise<void> {
  await db.withSchema(SCHEMA).insertInto('webhooks').values({ ...w, events: JSON.stringify(w.events) as never }).execute();
}

/** Every webhook's stored secret (a site has a few webhooks: read at start, to seal them again). */
export async function listWebhookSecrets(db: Db): Promise<{ id: string; secret: string }[]> {
  return db.withSchema(SCHEMA).selectFrom('webhooks').select(['id', 'secret']).execute();
}

/** Replaces a secret only if it is still the one read: a concurrent sealing by another instance wins. */
export async function replaceWebhookSecret(db: Db, id: string, from: string, to: string): Promise<void> {
  await db.withSchema(SCHEMA).updateTable('webhooks').set({ secret: to }).where('id', '=', id).where('secret', '=', from).execute();
}

export async function listWebhooks(db: Db, site: string): Promise<WebhookRow[]> {
  return db.withSchema(SCHEMA).selectFrom('webhooks').selectAll().where('site', '=', site).orderBy('created_at').execute();
}

export async function deleteWebhook(db: Db, site: string, id: string): Promise<boolean> {
  const r = await db.withSchema(SCHEMA).deleteFrom('webhooks').where('site', '=', site).where('id', '=', id).executeTakeFirst();
  return Number(r.numDeletedRows) === 1;
}

/** Queues one delivery per active webhook of the site that wants `event`, in the caller's transaction. */
export async function enqueueWebhookDeliveries(db: Db, site: string, event: string, body: string, now: Date): Promise<number> {
  const hooks = await db
    .withSchema(SCHEMA)
    .selectFrom('webhooks')
    .select('id')
    .where('site', '=', site)
    .where('active', '=', true)
    .where(sql<boolean>`events @> ${JSON.stringify([event])}::jsonb`)
    .execute();
  if (hooks.length === 0) return 0;
  await db
    .withSchema(SCHEMA)
    .insertInto('webhook_deliveries')
    .values(hooks.map((h) => ({ id: uuidv7(now.getTime()), webhook_id: h.id, site, event, body, next_attempt_at: now, delivered_at: null, failed_at: null, last_error: null, created_at: now })))
    .execute();
  return hooks.length;
}

export interface DueDelivery {
  id: string;
  url: string;
  secret: string;
  event: string;
  body: string;
  /** This attempt's number (1 for the first): the fence its result is recorded under. */
  attempts: number;
}

/**
 * Claims up to `limit` due deliveries in one statement (its own short transaction): SKIP LOCKED so
 * concurrent dispatchers take different rows, the attempt counted, and the row leased by moving its
 * next attempt to `now + leaseMs`. The HTTP call then runs outside any transaction; if the
 * dispatcher dies before recording a result, the delivery is simply due again when the lease ends.
 */
export async function claimDueDeliveries(db: Db, now: Date, limit: number, leaseMs: number): Promise<DueDelivery[]> {
  return db
    .withSchema(SCHEMA)
    .with(
      (cte) => cte('due').materialized(),
      (qb) =>
        qb
          .selectFrom('webhook_deliveries as d')
          .innerJoin('webhooks as w', 'w.id', 'd.webhook_id')
          .select('d.id')
          .where('d.delivered_at', 'is', null)
          .where('d.failed_at', 'is', null)
          .where('d.next_attempt_at', '<=', now)
          .orderBy('d.next_attempt_at')
          .limit(limit)
          .forUpdate('d')
          .skipLocked(),
    )
    .updateTable('webhook_deliveries as d')
    .from(['due', 'webhooks as w'])
    .set((eb) => ({ attempts: eb('d.attempts', '+', 1), next_attempt_at: new Date(now.getTime() + leaseMs) }))
    .whereRef('d.id', '=', 'due.id')
    .whereRef('w.id', '=', 'd.webhook_id')
    .returning(['d.id', 'w.url', 'w.secret', 'd.event', 'd.body', 'd.attempts'])
    .execute();
}

/** Whether a claimed attempt is still the delivery's latest and undecided (its lease was not taken over). */
const stillClaimed = (attempt: number) => (eb: ExpressionBuilder<ModerationDb, 'webhook_deliveries'>) =>
  eb.and([eb('attempts', '=', attempt), eb('delivered_at', 'is', null), eb('failed_at', 'is', null)]);

/** Records a successful attempt; false when the lease had run out and another attempt began meanwhile. */
export async function markDelivered(db: Db, id: string, attempt: number, at: Date): Promise<boolean> {
  const r = await db.withSchema(SCHEMA).updateTable('webhook_deliveries').set({ delivered_at: at }).where('id', '=', id).where(stillClaimed(attempt)).executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

/** Records a failed attempt: tried again at `retryAt`, or given up when null. False as for markDelivered. */
export async function markAttemptFailed(db: Db, id: string, attempt: number, error: string, retryAt: Date | null, at: Date): Promise<boolean> {
  const r = await db
    .withSchema(SCHEMA)
    .updateTable('webhook_deliveries')
    .set({ last_error: error.slice(0, 500), ...(retryAt ? { next_attempt_at: retryAt } : { failed_at: at }) })
    .where('id', '=', id)
    .where(stillClaimed(attempt))
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}
