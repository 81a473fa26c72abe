import { sql, type Kysely } from 'kysely';

/**
 * The email-hash index serves equality look-ups only (an author's comments, privacy requests), and
 * its keys are random HMACs: as a B-tree it grows to ~450 MB at 5 M comments and every insert
 * touches a random leaf of it. A hash index stores 4-byte hash codes, about a quarter of the size,
 * so it stays in shared buffers far longer as the table grows.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`drop index if exists intake.comments_email_hash_idx`.execute(db);
  await sql`create index comments_email_hash_idx on intake.comments using hash (email_hash) where email_hash is not null`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop index if exists intake.comments_email_hash_idx`.execute(db);
  await sql`create index comments_email_hash_idx on intake.comments (email_hash) where email_hash is not null`.execute(db);
}
