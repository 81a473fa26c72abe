import { sql, type Kysely } from 'kysely';
import { SCHEMA, type ConsentDb } from '../db/tables';

type Db = Kysely<ConsentDb>;

export interface RecordedForStats {
  site: string;
  day: string;
  action: string;
  gpc: boolean;
  accepted: string[];
  rejected: string[];
}

/**
 * Adds records' choices to their days' counters: summed here first, then one upsert per table for
 * the whole batch (called inside the inbox claim). Rows go in key order, so two consumers adding
 * overlapping days wait for each other instead of deadlocking.
 */
export async function addToDailyStats(trx: Db, records: RecordedForStats[]): Promise<void> {
  const categories = new Map<string, { site: string; day: string; category: string; accepted: number; rejected: number }>();
  const actions = new Map<string, { site: string; day: string; action: string; records: number; gpc: number }>();
  const count = (site: string, day: string, category: string, a: number, r: number) => {
    const k = `${site}\u0000${day}\u0000${category}`;
    const row = categories.get(k) ?? { site, day, category, accepted: 0, rejected: 0 };
    row.accepted += a;
    row.rejected += r;
    categories.set(k, row);
  };
  for (const e of records) {
    for (const c of e.accepted) count(e.site, e.day, c, 1, 0);
    for (const c of e.rejected) count(e.site, e.day, c, 0, 1);
    const k = `${e.site}\u0000${e.day}\u0000${e.action}`;
    const row = actions.get(k) ?? { site: e.site, day: e.day, action: e.action, records: 0, gpc: 0 };
    row.records += 1;
    row.gpc += e.gpc ? 1 : 0;
    actions.set(k, row);
  }
  const sorted = <T>(m: Map<string, T>) => [...m].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, v]) => v);
  if (categories.size) {
    await trx
      .withSchema(SCHEMA)
      .insertInto('daily_category_stats')
      .values(sorted(categories))
      .onConflict((oc) =>
        oc.columns(['site', 'day', 'category']).doUpdateSet({
          accepted: sql`daily_category_stats.accepted + excluded.accepted`,
          rejected: sql`daily_category_stats.rejected + excluded.rejected`,
        }),
      )
      .execute();
  }
  if (actions.size) {
    await trx
      .withSchema(SCHEMA)
      .insertInto('daily_action_stats')
      .values(sorted(actions))
      .onConflict((oc) =>
        oc.columns(['site', 'day', 'action']).doUpdateSet({
          records: sql`daily_action_stats.records + excluded.records`,
          gpc: sql`daily_action_stats.gpc + excluded.gpc`,
        }),
      )
      .execute();
  }
}

/**
 * Both tables as of one snapshot (repeatable read): a batch of records committed between the two
 * reads would otherwise show in the actions and not in the categories.
 */
export async function listDailyStats(db: Db, site: string, from: string, to: string) {
  return db
    .transaction()
    .setIsolationLevel('repeatable read')
    .execute(async (trx) => {
      const categories = await trx
        .withSchema(SCHEMA)
        .selectFrom('daily_category_stats')
        .select([sql<string>`to_char(day, 'YYYY-MM-DD')`.as('day'), 'category', 'accepted', 'rejected'])
        .where('site', '=', site)
        .where('day', '>=', sql<Date>`${from}::date`)
        .where('day', '<', sql<Date>`${to}::date`)
        .orderBy('day')
        .orderBy('category')
        .execute();
      const actions = await trx
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
    });
}
