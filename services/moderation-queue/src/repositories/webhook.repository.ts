import { sql, type Kysely } from 'kysely';
import { uuidv7 } from '@parley/shared';
import { SCHEMA, type ModerationDb, type WebhookRow } from '../db/tables';

type Db = Kysely<ModerationDb>;

export async function insertWebhook(db: Db, w: WebhookRow): Promise<void> {
  await db.withSchema(SCHEMA).insertInto('webhooks').values({ ...w, events: JSON.stringify(w.events) as never }).execute();
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
  attempts: number;
}

/** Due deliveries, locked (SKIP LOCKED: several dispatchers share the table). */
export async function lockDueDeliveries(db: Db, now: Date, limit: number): Promise<DueDelivery[]> {
  return db
    .withSchema(SCHEMA)
    .selectFrom('webhook_deliveries as d')
    .innerJoin('webhooks as w', 'w.id', 'd.webhook_id')
    .select(['d.id', 'w.url', 'w.secret', 'd.event', 'd.body', 'd.attempts'])
    .where('d.delivered_at', 'is', null)
    .where('d.failed_at', 'is', null)
    .where('d.next_attempt_at', '<=', now)
    .orderBy('d.next_attempt_at')
    .limit(limit)
    .forUpdate('d')
    .skipLocked()
    .execute();
}

export async function markDelivered(db: Db, id: string, at: Date): Promise<void> {
  await db.withSchema(SCHEMA).updateTable('webhook_deliveries').set((eb) => ({ delivered_at: at, attempts: eb('attempts', '+', 1) })).where('id', '=', id).execute();
}

export async function markAttemptFailed(db: Db, id: string, error: string, retryAt: Date | null, at: Date): Promise<void> {
  await db
    .withSchema(SCHEMA)
    .updateTable('webhook_deliveries')
    .set((eb) => ({
      attempts: eb('attempts', '+', 1),
      last_error: error.slice(0, 500),
      ...(retryAt ? { next_attempt_at: retryAt } : { failed_at: at }),
    }))
    .where('id', '=', id)
    .execute();
}
