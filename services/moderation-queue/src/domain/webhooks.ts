import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { NotFoundError, uuidv7, type WebhookBody } from '@parley/shared';
import type { Kysely } from 'kysely';
import type { ModerationDb, WebhookRow } from '../db/tables';
import { insertAuditEntry } from '../repositories/audit.repository';
import { deleteWebhook, insertWebhook, listWebhookSecrets, listWebhooks, replaceWebhookSecret } from '../repositories/webhook.repository';
import type { Actor, UseCaseContext } from './context';
import type { SecretBox } from './webhook-secrets';

/** The header carrying `t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">`. */
export const SIGNATURE_HEADER = 'Parley-Signature';

export function signWebhook(secret: string, body: string, timestampSeconds: number): string {
  const mac = createHmac('sha256', secret).update(`${timestampSeconds}.${body}`).digest('hex');
  return `t=${timestampSeconds},v1=${mac}`;
}

/**
 * What a receiver does (and the tests): recompute the HMAC over the timestamp and the raw body,
 * compare in constant time, and refuse stale timestamps (replays).
 */
export function verifyWebhook(secret: string, body: string, header: string, nowSeconds: number, toleranceSeconds = 300): boolean {
  const parts = Object.fromEntries(header.split(',').map((p) => p.split('=', 2) as [string, string]));
  const t = Number(parts.t);
  if (!Number.isInteger(t) || !parts.v1 || Math.abs(nowSeconds - t) > toleranceSeconds) return false;
  const expected = Buffer.from(signWebhook(secret, body, t).split('v1=')[1]!, 'hex');
  const given = Buffer.from(parts.v1, 'hex');
  return given.length === expected.length && timingSafeEqual(given, expected);
}

export interface WebhookView {
  id: string;
  url: string;
  events: string[];
  active: boolean;
  createdAt: string;
}

const view = (w: WebhookRow): WebhookView => ({ id: w.id, url: w.url, events: w.events, active: w.active, createdAt: w.created_at.toISOString() });

/** Registers a webhook; its signing secret is returned here only. */
export async function createWebhook(ctx: UseCaseContext, actor: Actor, site: string, body: WebhookBody): Promise<WebhookView & { secret: string }> {
  const now = ctx.now?.() ?? new Date();
  if (!ctx.secrets) throw new Error('webhook secrets need a secret box (MODERATION_SECRETS_KEY)');
  const secret = `whsec_${randomBytes(24).toString('base64url')}`;
  // Stored sealed: a copy of the database (a backup, a replica) cannot sign as Parley.
  const row: WebhookRow = { id: uuidv7(now.getTime()), site, url: body.url, secret: ctx.secrets.seal(secret), events: body.events, active: body.active, created_at: now };
  await ctx.db.transaction().execute(async (trx) => {
    await insertWebhook(trx, row);
    await insertAuditEntry(trx, { keyId: actor.keyId, site, action: 'webhook.create', target: row.id, before: null, after: view(row) });
  });
  return { ...view(row), secret };
}

export async function listSiteWebhooks(ctx: UseCaseContext, site: string): Promise<WebhookView[]> {
  return (await listWebhooks(ctx.db, site)).map(view);
}

export async function removeWebhook(ctx: UseCaseContext, actor: Actor, site: string, id: string): Promise<void> {
  await ctx.db.transaction().execute(async (trx) => {
    if (!(await deleteWebhook(trx, site, id))) throw new NotFoundError('Unknown webhook.');
    await insertAuditEntry(trx, { keyId: actor.keyId, site, action: 'webhook.delete', target: id, before: { id }, after: null });
  });
}

/**
 * Seals under the current key every secret that is not: those stored before secrets were sealed,
 * and those sealed under a previous key (a rotation). Returns how many it sealed, and the webhooks
 * whose secret no key given opens (they cannot be signed until registered again).
 */
export async function sealWebhookSecrets(db: Kysely<ModerationDb>, secrets: SecretBox): Promise<{ sealed: number; unreadable: string[] }> {
  let sealed = 0;
  const unreadable: string[] = [];
  for (const r of await listWebhookSecrets(db)) {
    if (secrets.isCurrent(r.secret)) continue;
    let secret: string;
    try {
      secret = secrets.open(r.secret);
    } catch {
      unreadable.push(r.id);
      continue;
    }
    await replaceWebhookSecret(db, r.id, r.secret, secrets.seal(secret));
    sealed += 1;
  }
  return { sealed, unreadable };
}
