import type { Kysely } from 'kysely';
import { SCHEMA, type BanRow, type BanTable, type ModerationDb } from '../db/tables';

type Db = Kysely<ModerationDb>;

/** An unexpired, unlifted ban matching any of the author's identifiers. */
export async function findActiveBan(
  db: Db,
  site: string,
  who: { authorKey: string; emailHash: string | null; ipHash: string; fingerprint: string },
  at: Date,
): Promise<BanRow | undefined> {
  return db
    .withSchema(SCHEMA)
    .selectFrom('bans')
    .selectAll()
    .where('site', '=', site)
    .where('lifted_at', 'is', null)
    .where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', at)]))
    .where((eb) =>
      eb.or([
        eb('author_key', '=', who.authorKey),
        ...(who.emailHash ? [eb('email_hash', '=', who.emailHash)] : []),
        eb('ip_hash', '=', who.ipHash),
        eb('fingerprint', '=', who.fingerprint),
      ]),
    )
    .orderBy('created_at', 'desc')
    .limit(1)
    .executeTakeFirst();
}

export async function findActiveBanByAuthor(db: Db, site: string, authorKey: string, at: Date): Promise<BanRow | undefined> {
  return db
    .withSchema(SCHEMA)
    .selectFrom('bans')
    .selectAll()
    .where('site', '=', site)
    .where('author_key', '=', authorKey)
    .where('lifted_at', 'is', null)
    .where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', at)]))
    .orderBy('created_at', 'desc')
    .limit(1)
    .executeTakeFirst();
}

export async function insertBan(db: Db, ban: BanTable): Promise<void> {
  await db.withSchema(SCHEMA).insertInto('bans').values(ban).execute();
}

/** Lifts every active ban of the author; returns how many. */
export async function liftBans(db: Db, site: string, authorKey: string, at: Date): Promise<number> {
  const r = await db
    .withSchema(SCHEMA)
    .updateTable('bans')
    .set({ lifted_at: at })
    .where('site', '=', site)
    .where('author_key', '=', authorKey)
    .where('lifted_at', 'is', null)
    .executeTakeFirst();
  return Number(r.numUpdatedRows);
}
