import type { Kysely } from 'kysely';
import type { ApiKeySnapshot, ApiKeyView, KeyRecord } from '@parley/shared';
import { SCHEMA, type ApiKeyRow, type ModerationDb } from '../db/tables';

type Db = Kysely<ModerationDb>;

export function apiKeyRowToView(row: ApiKeyRow): ApiKeyView {
  return {
    id: row.id,
    prefix: row.prefix,
    role: row.role,
    sites: row.sites,
    label: row.label,
    createdAt: row.created_at.toISOString(),
    revokedAt: row.revoked_at?.toISOString() ?? null,
  };
}

export function apiKeyRowToSnapshot(row: ApiKeyRow): ApiKeySnapshot {
  return {
    id: row.id,
    prefix: row.prefix,
    hash: row.hash,
    role: row.role,
    sites: row.sites,
    revokedAt: row.revoked_at?.toISOString() ?? null,
    version: row.version,
  };
}

export async function insertApiKey(
  db: Db,
  key: { id: string; prefix: string; hash: string; role: ApiKeyRow['role']; sites: string[]; label: string },
): Promise<ApiKeyRow> {
  return db
    .withSchema(SCHEMA)
    .insertInto('api_keys')
    .values({ ...key, sites: JSON.stringify(key.sites) as never, revoked_at: null, version: 1 })
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function findApiKeyByHash(db: Db, hash: string): Promise<KeyRecord | undefined> {
  const row = await db
    .withSchema(SCHEMA)
    .selectFrom('api_keys')
    .select(['id', 'role', 'sites', 'revoked_at'])
    .where('hash', '=', hash)
    .executeTakeFirst();
  return row ? { id: row.id, role: row.role, sites: row.sites, revoked: row.revoked_at !== null } : undefined;
}

export async function findApiKeyById(db: Db, id: string): Promise<ApiKeyRow | undefined> {
  return db.withSchema(SCHEMA).selectFrom('api_keys').selectAll().where('id', '=', id).executeTakeFirst();
}

/** Marks a key revoked (once); returns the new row, or undefined if it was unknown or already revoked. */
export async function revokeApiKeyById(db: Db, id: string, at: Date): Promise<ApiKeyRow | undefined> {
  return db
    .withSchema(SCHEMA)
    .updateTable('api_keys')
    .set((eb) => ({ revoked_at: at, version: eb('version', '+', 1) }))
    .where('id', '=', id)
    .where('revoked_at', 'is', null)
    .returningAll()
    .executeTakeFirst();
}

export async function listApiKeys(db: Db): Promise<ApiKeyRow[]> {
  return db.withSchema(SCHEMA).selectFrom('api_keys').selectAll().orderBy('created_at').orderBy('id').execute();
}

export async function countApiKeys(db: Db): Promise<number> {
  const r = await db.withSchema(SCHEMA).selectFrom('api_keys').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow();
  return Number(r.n);
}
