import { sql, type Kysely } from 'kysely';
import { SCHEMA, type ModerationDb } from '../db/tables';

type Db = Kysely<ModerationDb>;

/** Comments received per day and current state, since `since`. */
export async function countsPerDay(db: Db, site: string, since: Date): Promise<{ day: string; state: string; n: number }[]> {
  return db
    .withSchema(SCHEMA)
    .selectFrom('comments')
    .select([sql<string>`to_char(received_at at time zone 'UTC', 'YYYY-MM-DD')`.as('day'), 'state', sql<number>`count(*)::int`.as('n')])
    .where('site', '=', site)
    .where('received_at', '>=', since)
    .groupBy(['day', 'state'])
    .orderBy('day')
    .execute();
}

/** Median seconds from arrival to a moderator's first decision, and who decided last. */
export async function decisionFigures(db: Db, site: string, since: Date): Promise<{ median: number | null; pipeline: number; moderator: number }> {
  const r = await db
    .withSchema(SCHEMA)
    .selectFrom('comments')
    .select([
      sql<number | null>`percentile_cont(0.5) within group (order by extract(epoch from human_decided_at - received_at)) filter (where human_decided_at is not null)`.as('median'),
      sql<number>`count(*) filter (where decided_by = 'pipeline')::int`.as('pipeline'),
      sql<number>`count(*) filter (where decided_by = 'moderator')::int`.as('moderator'),
    ])
    .where('site', '=', site)
    .where('received_at', '>=', since)
    .executeTakeFirstOrThrow();
  return { median: r.median === null ? null : Number(r.median), pipeline: r.pipeline, moderator: r.moderator };
}
