import type { Kysely } from 'kysely';

/**
 * Every public key that ever signed a receipt, so rotating CONSENT_SIGNING_KEY never orphans the
 * receipts visitors already hold: /.well-known/jwks.json keeps publishing the old keys.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .withSchema('consent')
    .createTable('signing_keys')
    .addColumn('kid', 'text', (c) => c.primaryKey())
    .addColumn('jwk', 'jsonb', (c) => c.notNull())
    .addColumn('first_used_at', 'timestamptz', (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.withSchema('consent').dropTable('signing_keys').execute();
}
