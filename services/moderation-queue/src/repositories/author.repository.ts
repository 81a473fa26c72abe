import { sql, type Kysely } from 'kysely';
import { SCHEMA, type ModerationDb } from '../db/tables';

type Db = Kysely<ModerationDb>;

export async function findAuthor(db: Db, site: string, key: string): Promise<{ trusted: boolean; approvedCount: number } | undefined> {
  const row = await db
    .withSchema(SCHEMA)
    .selectFrom('authors')
    .select(['trusted', 'approved_count'])
    .where('site', '=', site)
    .where('author_key', '=', key)
    .executeTakeFirst();
  return row && { trusted: row.trusted, approvedCount: row.approved_count };
}

/** An approved comment makes its author trusted (no longer first-time). */
export async function recordApproval(db: Db, site: string, key: string, delta: 1 | -1): Promise<void> {
  await db
    .withSchema(SCHEMA)
    .insertInto('authors')
    .values({ site, author_key: key, trusted: delta > 0, approved_count: Math.max(0, delta) })
    .onConflict((oc) =>
      oc.columns(['site', 'author_key']).doUpdateSet({
        approved_count: sql`greatest(0, authors.approved_count + ${delta})`,
        trusted: delta > 0 ? true : sql`authors.trusted`,
        updated_at: sql`now()`,
      }),
    )
    .execute();
}

export async function setTrusted(db: Db, site: string, key: string, trusted: boolean): Promise<void> {
  await db
    .withSchema(SCHEMA)
    .insertInto('authors')
    .values({ site, author_key: key, trusted })
    .onConflict((oc) => oc.columns(['site', 'author_key']).doUpdateSet({ trusted, updated_at: sql`now()` }))
    .execute();
}
