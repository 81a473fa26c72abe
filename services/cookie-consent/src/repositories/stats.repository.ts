import { sql, type Kysely } from 'kysely';
import { SCHEMA, type ConsentDb } from '../db/tables';

type Db = Kysely<ConsentDb>;

/** Adds one record's choices to its day's counters (called once per event, inside the inbox claim). */
export async function addToDailyStats(
  trx: Db,
  e: { site: string; day: string; action: string; gpc: boolean; accepted: string[]; rejected: string[] },
): Promise<void> {
  const rows = [...e.accepted.map((c) => ({ c, a: 1, r: 0 })), ...e.rejected.map((c) => ({ c, a: 0, r: 1 }))];
  if (rows.length) {
    await trx
      .withSchema(SCHEMA)
      .insertInto('daily_category_stats')
      .values(rows.map((x) => ({ site: e.site, day: e.day, category: x.c, accepted: x.a, rejected: x.r })))
      .onConflict((oc) =>
        oc.columns(['site', 'day', 'category']).doUpdateSet({
          accepted: sql`daily_category_stats.accepted + excluded.accepted`,
          rejected: sql`daily_category_stats.rejected + excluded.rejected`,
        }),
      )
      .execute();
  }
  await trx
    .withSchema(SCHEMA)
    .insertInto('daily_action_stats')
    .values({ site: e.site, day: e.day, action: e.action, records: 1, gpc: e.gpc ? 1 : 0 })
    .onConflict((oc) =>
      oc.columns(['site', 'day', 'action']).doUpdateSet({
        records: sql`daily_action_stats.records + 1`,
        gpc: sql`daily_action_stats.gpc + excluded.gpc`,
      }),
    )
    .execute();
}

export async function listDailyStats(db: Db, site: string, from: string, to: string) {
  const categories = await db
    .withSchema(SCHEMA)
    .selectFrom('daily_category_stats')
    .select([sql<string>`to_char(day, 'YYYY-MM-DD')`.as('day'), 'category', 'accepted', 'rejected'])
    .where('site', '=', site)
    .where('day', '>=', sql<Date>`${from}::date`)
    .where('day', '<', sql<Date>`${to}::date`)
    .orderBy('day')
    .orderBy('category')
    .execute();
  const actions = await db
    .withSchema(SCHEMA)
    .selectFrom('daily_action_stats')
    .select([sql<string>`to_char(day, 'YYYY-MM-DD')`.as('day'), 'action', 'records', 'gpc'])
    .where('site', '=', site)
    .where('day', '>=', sql<Date>`${from}::date`)
    .where('day', '<', sql<Date>`${to}::date`)
    .orderBy('day')
    .orderBy('action')
    .execute();
  return { categories, actions };
}
