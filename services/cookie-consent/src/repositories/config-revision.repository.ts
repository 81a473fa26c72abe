import type { Kysely } from 'kysely';
import type { ConsentRevision } from '@parley/shared';
import { SCHEMA, type ConfigRevisionRow, type ConsentDb } from '../db/tables';

type Db = Kysely<ConsentDb>;

export function configRevisionRowToRevision(row: ConfigRevisionRow): ConsentRevision {
  return { site: row.site, revision: row.revision, contentHash: row.content_hash, config: row.config, createdAt: row.created_at.toISOString() };
}

export async function findLatestConfigRevision(db: Db, site: string): Promise<ConsentRevision | undefined> {
  const row = await db.withSchema(SCHEMA).selectFrom('config_revisions').selectAll().where('site', '=', site).orderBy('revision', 'desc').limit(1).executeTakeFirst();
  return row && configRevisionRowToRevision(row);
}

export async function findConfigRevision(db: Db, site: string, revision: number): Promise<ConsentRevision | undefined> {
  const row = await db.withSchema(SCHEMA).selectFrom('config_revisions').selectAll().where('site', '=', site).where('revision', '=', revision).executeTakeFirst();
  return row && configRevisionRowToRevision(row);
}

export async function listConfigRevisions(db: Db, site: string): Promise<Omit<ConsentRevision, 'config'>[]> {
  const rows = await db
    .withSchema(SCHEMA)
    .selectFrom('config_revisions')
    .select(['site', 'revision', 'content_hash', 'created_at'])
    .where('site', '=', site)
    .orderBy('revision', 'desc')
    .execute();
  return rows.map((r) => ({ site: r.site, revision: r.revision, contentHash: r.content_hash, createdAt: r.created_at.toISOString() }));
}

/** Inserts a revision; false when that number exists already (a concurrent publish won). */
export async function insertConfigRevision(
  db: Db,
  rev: { site: string; revision: number; contentHash: string; config: unknown; createdBy: string | null },
): Promise<boolean> {
  const r = await db
    .withSchema(SCHEMA)
    .insertInto('config_revisions')
    .values({ site: rev.site, revision: rev.revision, content_hash: rev.contentHash, config: JSON.stringify(rev.config), created_by: rev.createdBy })
    .onConflict((oc) => oc.columns(['site', 'revision']).doNothing())
    .executeTakeFirst();
  return Number(r.numInsertedOrUpdatedRows ?? 0) === 1;
}
