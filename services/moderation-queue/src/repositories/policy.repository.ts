import type { Kysely } from 'kysely';
import { SCHEMA, type ModerationDb, type PolicyRow } from '../db/tables';

type Db = Kysely<ModerationDb>;

/** A site without its own row moderates with these. */
export function defaultPolicy(site: string): PolicyRow {
  return {
    site,
    version: 0,
    words_version: 0,
    disallowed_words: [],
    suspect_words: [],
    reports_hold: true,
    spam_hold_threshold: 0.8,
    spam_threshold: 0.97,
    duplicate_window_minutes: 1_440,
    updated_at: new Date(0),
  };
}

export async function findPolicy(db: Db, site: string): Promise<PolicyRow> {
  const row = await db.withSchema(SCHEMA).selectFrom('policies').selectAll().where('site', '=', site).executeTakeFirst();
  return row ?? defaultPolicy(site);
}

/** The row locked for a read-modify-write; created with the defaults first when absent. */
export async function lockPolicy(db: Db, site: string): Promise<PolicyRow> {
  const d = defaultPolicy(site);
  await db
    .withSchema(SCHEMA)
    .insertInto('policies')
    .values({ ...d, disallowed_words: JSON.stringify([]) as never, suspect_words: JSON.stringify([]) as never })
    .onConflict((oc) => oc.column('site').doNothing())
    .execute();
  return db.withSchema(SCHEMA).selectFrom('policies').selectAll().where('site', '=', site).forUpdate().executeTakeFirstOrThrow();
}

export async function writePolicy(db: Db, p: PolicyRow): Promise<void> {
  await db
    .withSchema(SCHEMA)
    .updateTable('policies')
    .set({
      ...p,
      disallowed_words: JSON.stringify(p.disallowed_words) as never,
      suspect_words: JSON.stringify(p.suspect_words) as never,
    })
    .where('site', '=', p.site)
    .execute();
}
