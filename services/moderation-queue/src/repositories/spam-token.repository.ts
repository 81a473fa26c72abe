import { sql, type Kysely } from 'kysely';
import { SCHEMA, SPAM_DOCS_TOKEN as DOCS_TOKEN, type ModerationDb } from '../db/tables';

export interface TokenCounts {
  spam: number;
  ham: number;
}

type Db = Kysely<ModerationDb>;

/** The site's learnt counts of these tokens, and its document totals. */
export async function loadTokenCounts(db: Db, site: string, tokens: readonly string[]): Promise<Map<string, TokenCounts>> {
  const rows = await db
    .withSchema(SCHEMA)
    .selectFrom('spam_tokens')
    .select(['token', 'spam', 'ham'])
    .where('site', '=', site)
    .where('token', 'in', [DOCS_TOKEN, ...tokens])
    .execute();
  return new Map(rows.map((r) => [r.token, { spam: r.spam, ham: r.ham }]));
}

/**
 * Adds (or, with negative deltas, takes back) one document's tokens. Tokens are written in sorted
 * order so two concurrent trainings lock rows in the same order and never deadlock.
 */
export async function addTokenCounts(db: Db, site: string, tokens: readonly string[], delta: TokenCounts): Promise<void> {
  const all = [...new Set([DOCS_TOKEN, ...tokens])].sort();
  await db
    .withSchema(SCHEMA)
    .insertInto('spam_tokens')
    .values(all.map((token) => ({ site, token, spam: Math.max(0, delta.spam), ham: Math.max(0, delta.ham) })))
    .onConflict((oc) =>
      oc.columns(['site', 'token']).doUpdateSet({
        spam: sql`greatest(0, spam_tokens.spam + ${delta.spam})`,
        ham: sql`greatest(0, spam_tokens.ham + ${delta.ham})`,
      }),
    )
    .execute();
}
