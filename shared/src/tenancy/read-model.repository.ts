import type { Kysely } from 'kysely';
import type { ApiKeySnapshot, Site } from '../contracts/site.schema';
import type { TenancyReadTables } from './read-model.tables';
import type { KeyRecord, SiteRecord } from './directory';

type Db = Kysely<TenancyReadTables>;

/** Applies a site snapshot unless the stored one is as new or newer (redelivery, reordering). */
export async function upsertSiteSnapshot(db: Db, schema: string, site: Site): Promise<void> {
  await db
    .withSchema(schema)
    .insertInto('sites')
    .values({
      id: site.id,
      name: site.name,
      allowed_origins: JSON.stringify(site.allowedOrigins) as unknown as string[],
      settings: JSON.stringify(site.settings) as unknown as Site['settings'],
      status: site.status,
      version: site.version,
      updated_at: new Date(site.updatedAt),
    })
    .onConflict((oc) =>
      oc.column('id').doUpdateSet((eb) => ({
        name: eb.ref('excluded.name'),
        allowed_origins: eb.ref('excluded.allowed_origins'),
        settings: eb.ref('excluded.settings'),
        status: eb.ref('excluded.status'),
        version: eb.ref('excluded.version'),
        updated_at: eb.ref('excluded.updated_at'),
      })).where('sites.version', '<', (eb) => eb.ref('excluded.version')),
    )
    .execute();
}

export async function upsertApiKeySnapshot(db: Db, schema: string, key: ApiKeySnapshot): Promise<void> {
  await db
    .withSchema(schema)
    .insertInto('api_keys')
    .values({
      id: key.id,
      prefix: key.prefix,
      hash: key.hash,
      role: key.role,
      sites: JSON.stringify(key.sites) as unknown as string[],
      revoked_at: key.revokedAt ? new Date(key.revokedAt) : null,
      version: key.version,
    })
    .onConflict((oc) =>
      oc.column('id').doUpdateSet((eb) => ({
        role: eb.ref('excluded.role'),
        sites: eb.ref('excluded.sites'),
        revoked_at: eb.ref('excluded.revoked_at'),
        version: eb.ref('excluded.version'),
      })).where('api_keys.version', '<', (eb) => eb.ref('excluded.version')),
    )
    .execute();
}

export async function findSiteReadById(db: Db, schema: string, id: string): Promise<SiteRecord | undefined> {
  const row = await db.withSchema(schema).selectFrom('sites').selectAll().where('id', '=', id).executeTakeFirst();
  return row
    ? { id: row.id, name: row.name, allowedOrigins: row.allowed_origins, settings: row.settings, status: row.status, version: row.version }
    : undefined;
}

export async function findApiKeyReadByHash(db: Db, schema: string, hash: string): Promise<KeyRecord | undefined> {
  const row = await db.withSchema(schema).selectFrom('api_keys').selectAll().where('hash', '=', hash).executeTakeFirst();
  return row ? { id: row.id, role: row.role, sites: row.sites, revoked: row.revoked_at !== null } : undefined;
}
