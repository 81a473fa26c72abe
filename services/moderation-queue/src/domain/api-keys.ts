import {
  ErrorCode,
  NotFoundError,
  Streams,
  ValidationError,
  enqueue,
  generateApiKey,
  hashApiKey,
  makeEnvelope,
  prefixOf,
  uuidv7,
  API_KEY_PATTERN,
  type ApiKeyView,
  type CreateApiKeyBody,
} from '@parley/shared';
import { sql, type Kysely } from 'kysely';
import { SCHEMA, type ApiKeyRow, type ModerationDb } from '../db/tables';
import { apiKeyRowToSnapshot, apiKeyRowToView, countApiKeys, insertApiKey, revokeApiKeyById } from '../repositories/api-key.repository';
import { insertAuditEntry } from '../repositories/audit.repository';
import { listSites } from '../repositories/site.repository';
import type { Actor, UseCaseContext } from './context';

async function announce(trx: Kysely<ModerationDb>, row: ApiKeyRow, now: Date): Promise<void> {
  await enqueue(trx, SCHEMA, Streams.apiKeysChanged, makeEnvelope(Streams.apiKeysChanged, 1, '*', { key: apiKeyRowToSnapshot(row) }, now));
}

async function insertAndAnnounce(
  trx: Kysely<ModerationDb>,
  actor: Actor,
  body: CreateApiKeyBody,
  key: { prefix: string; hash: string },
  now: Date,
): Promise<ApiKeyRow> {
  if (!body.sites.includes('*')) {
    const known = new Set((await listSites(trx, body.sites)).map((s) => s.id));
    const unknown = body.sites.filter((s) => !known.has(s));
    if (unknown.length) throw new ValidationError([{ path: 'body.sites', message: `unknown site(s): ${unknown.join(', ')}` }]);
  }
  const row = await insertApiKey(trx, { id: uuidv7(now.getTime()), ...key, role: body.role, sites: body.sites, label: body.label });
  await announce(trx, row, now);
  await insertAuditEntry(trx, { keyId: actor.keyId, site: null, action: 'api-key.create', target: row.id, before: null, after: apiKeyRowToView(row) });
  return row;
}

/** Creates a key; the secret is returned here once and stored only as its SHA-256. */
export async function createApiKey(ctx: UseCaseContext, actor: Actor, body: CreateApiKeyBody): Promise<{ key: ApiKeyView; secret: string }> {
  const now = ctx.now?.() ?? new Date();
  const { secret, prefix, hash } = generateApiKey();
  const row = await ctx.db.transaction().execute((trx) => insertAndAnnounce(trx, actor, body, { prefix, hash }, now));
  ctx.afterCommit();
  return { key: apiKeyRowToView(row), secret };
}

export async function revokeApiKey(ctx: UseCaseContext, actor: Actor, id: string): Promise<ApiKeyView> {
  const now = ctx.now?.() ?? new Date();
  const row = await ctx.db.transaction().execute(async (trx) => {
    const revoked = await revokeApiKeyById(trx, id, now);
    if (!revoked) throw new NotFoundError('Unknown or already revoked API key.', ErrorCode.API_KEY_NOT_FOUND);
    await announce(trx, revoked, now);
    await insertAuditEntry(trx, { keyId: actor.keyId, site: null, action: 'api-key.revoke', target: id, before: null, after: apiKeyRowToView(revoked) });
    return revoked;
  });
  ctx.afterCommit();
  return apiKeyRowToView(row);
}

/**
 * First start: an operator needs one admin key to do anything. Takes `BOOTSTRAP_ADMIN_KEY` when set
 * (idempotent across restarts), else makes one when no key exists and returns its secret to show once.
 */
export async function ensureBootstrapAdmin(ctx: UseCaseContext, given?: string): Promise<{ created: boolean; secret?: string }> {
  const now = ctx.now?.() ?? new Date();
  const body: CreateApiKeyBody = { role: 'admin', sites: ['*'], label: 'bootstrap admin' };
  const result = await ctx.db.transaction().execute(async (trx) => {
    // One bootstrap at a time, even with several instances starting together.
    await sql`SELECT pg_advisory_xact_lock(hashtext('parley.bootstrap-admin'))`.execute(trx);
    if (given) {
      if (!API_KEY_PATTERN.test(given)) throw new Error('BOOTSTRAP_ADMIN_KEY must look like pk_<12 letters/digits>_<32 letters/digits>');
      const hash = hashApiKey(given);
      const exists = await trx.withSchema(SCHEMA).selectFrom('api_keys').select('id').where('hash', '=', hash).executeTakeFirst();
      if (exists) return { created: false };
      await insertAndAnnounce(trx, { keyId: null }, body, { prefix: prefixOf(given), hash }, now);
      return { created: true };
    }
    if ((await countApiKeys(trx)) > 0) return { created: false };
    const { secret, prefix, hash } = generateApiKey();
    await insertAndAnnounce(trx, { keyId: null }, body, { prefix, hash }, now);
    return { created: true, secret };
  });
  if (result.created) ctx.afterCommit();
  return result;
}
