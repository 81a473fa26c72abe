import type { Kysely } from 'kysely';
import { makeEnvelope, type Envelope } from '../../src/contracts/envelope';
import type { Migrations } from '../../src/db';
import { createOutboxAndInboxTables } from '../../src/outbox';

export type TestEnvelope = Envelope<'test.happened', { n: number }>;

export function buildEnvelope(n: number): TestEnvelope {
  return makeEnvelope('test.happened', 1, 'test-site', { n });
}

/**
 * A service-like schema: `things` (the business rows), `effects` (what a consumer applied; no
 * unique key, so a double effect would show as two rows) and the outbox/inbox pair.
 */
export function outboxMigrations(schema: string): Migrations {
  return {
    '2026_01_01_0000_init': {
      async up(db: Kysely<any>) {
        const s = db.schema.withSchema(schema);
        await s.createTable('things').addColumn('id', 'integer', (c) => c.primaryKey()).execute();
        await s
          .createTable('effects')
          .addColumn('event_id', 'uuid', (c) => c.notNull())
          .addColumn('n', 'integer', (c) => c.notNull())
          .execute();
        await createOutboxAndInboxTables(db, schema);
      },
    },
  };
}

export async function insertThing(db: Kysely<any>, schema: string, id: number): Promise<void> {
  await db.insertInto(`${schema}.things`).values({ id }).execute();
}

export async function insertEffect(db: Kysely<any>, schema: string, envelope: TestEnvelope): Promise<void> {
  await db.insertInto(`${schema}.effects`).values({ event_id: envelope.id, n: envelope.payload.n }).execute();
}

/** Effects per event id. */
export async function effectCounts(db: Kysely<any>, schema: string): Promise<Map<string, number>> {
  const rows = await db.selectFrom(`${schema}.effects`).select('event_id').execute();
  const counts = new Map<string, number>();
  for (const { event_id: id } of rows) counts.set(id as string, (counts.get(id as string) ?? 0) + 1);
  return counts;
}
