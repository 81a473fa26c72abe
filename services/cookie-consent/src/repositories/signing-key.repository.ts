import type { Kysely } from 'kysely';
import { SCHEMA, type ConsentDb } from '../db/tables';

/** Remembers a key the first time it signs; later starts with the same key change nothing. */
export async function rememberSigningKey(db: Kysely<ConsentDb>, kid: string, jwk: Record<string, string>, at: Date): Promise<void> {
  await db
    .withSchema(SCHEMA)
    .insertInto('signing_keys').values({ kid, jwk: JSON.stringify(jwk) as never, first_used_at: at }).onConflict((oc) => oc.column('kid').doNothing()).execute();
}

/** Every key that ever signed, newest first. */
export async function listSigningKeys(db: Kysely<ConsentDb>): Promise<Record<string, string>[]> {
  const rows = await db.withSchema(SCHEMA).selectFrom('signing_keys').select(['jwk']).orderBy('first_used_at', 'desc').execute();
  return rows.map((r) => r.jwk);
}
