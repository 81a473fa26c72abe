import type { Kysely } from 'kysely';
import type { Envelope } from '../contracts/envelope';
import { assertSchemaName } from '../db/schema-name';

/**
 * Adds envelopes to `<schema>.outbox`. Pass the caller's transaction: the business row and its
 * events then commit (or roll back) together, and the relay publishes them after the commit.
 * Call the relay's kick() once the transaction has committed to publish without waiting for a poll.
 */
export async function enqueue(trx: Kysely<any>, schema: string, stream: string, envelope: Envelope | readonly Envelope[]): Promise<void> {
  assertSchemaName(schema);
  const envelopes: readonly Envelope[] = Array.isArray(envelope) ? envelope : [envelope as Envelope];
  if (envelopes.length === 0) return;
  await trx
    .insertInto(`${schema}.outbox`)
    .values(envelopes.map((e) => ({ id: e.id, stream, envelope: JSON.stringify(e) })))
    .execute();
}
