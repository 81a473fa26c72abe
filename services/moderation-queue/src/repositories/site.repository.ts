import type { Kysely } from 'kysely';
import type { Site } from '@parley/shared';
import { SCHEMA, type ModerationDb, type SiteRow } from '../db/tables';

type Db = Kysely<ModerationDb>;

export function siteRowToSite(row: SiteRow): Site {
  return {
    id: row.id,
    name: row.name,
    allowedOrigins: row.allowed_origins,
    settings: row.settings,
    status: row.status,
    version: row.version,
    updatedAt: row.updated_at.toISOString(),
  };
}

/** Inserts a site; false when the id is taken. */
export async function insertSite(db: Db, site: Site): Promise<boolean> {
  const r = await db
    .withSchema(SCHEMA)
    .insertInto('sites')
    .values({
      id: site.id,
      name: site.name,
      allowed_origins: JSON.stringify(site.allowedOrigins) as never,
      settings: JSON.stringify(site.settings) as never,
      status: site.status,
      version: site.version,
      updated_at: new Date(site.updatedAt),
    })
    .onConflict((oc) => oc.column('id').doNothing())
    .executeTakeFirst();
  return Number(r.numInsertedOrUpdatedRows ?? 0) === 1;
}

export async function findSiteById(db: Db, id: string): Promise<Site | undefined> {
  const row = await db.withSchema(SCHEMA).selectFrom('sites').selectAll().where('id', '=', id).executeTakeFirst();
  return row && siteRowToSite(row);
}

/** Locks the row for the rest of the transaction, so concurrent updates apply one after another. */
export async function lockSiteById(db: Db, id: string): Promise<Site | undefined> {
  const row = await db.withSchema(SCHEMA).selectFrom('sites').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
  return row && siteRowToSite(row);
}

export async function updateSite(db: Db, site: Site): Promise<void> {
  await db
    .withSchema(SCHEMA)
    .updateTable('sites')
    .set({
      name: site.name,
      allowed_origins: JSON.stringify(site.allowedOrigins) as never,
      settings: JSON.stringify(site.settings) as never,
      status: site.status,
      version: site.version,
      updated_at: new Date(site.updatedAt),
    })
    .where('id', '=', site.id)
    .execute();
}

export async function listSites(db: Db, only?: string[]): Promise<Site[]> {
  let q = db.withSchema(SCHEMA).selectFrom('sites').selectAll().where('status', '!=', 'deleted').orderBy('id');
  if (only) {
    if (only.length === 0) return [];
    q = q.where('id', 'in', only);
  }
  return (await q.execute()).map(siteRowToSite);
}
