import type { Kysely } from 'kysely';
import { apiKeysChangedV1, sitesChangedV1 } from '../contracts/events';
import { Streams } from '../contracts/streams';
import { idempotent } from '../outbox';
import type { StreamTransport, Subscription } from '../streams/transport';
import type { TenancyDirectory } from './directory';
import type { TenancyReadTables } from './read-model.tables';
import { upsertApiKeySnapshot, upsertSiteSnapshot } from './read-model.repository';

/**
 * Keeps a service's copy of sites and API keys current from `sites.changed` and `api-keys.changed`.
 * Snapshots carry a version, so redelivery or reordering never brings back an older state.
 */
export function subscribeTenancyReadModel(opts: {
  db: Kysely<any>;
  schema: string;
  transport: StreamTransport;
  group: string;
  consumer: string;
  directory: TenancyDirectory;
}): Subscription[] {
  const { db, schema, transport, group, consumer, directory } = opts;
  // Invalidate this process's cache once the change has committed, not waiting for the TTL.
  const thenInvalidate =
    <D>(handler: (d: D) => Promise<void>) =>
    async (d: D) => {
      await handler(d);
      directory.invalidate();
    };
  const sites = transport.subscribe({
    stream: Streams.sitesChanged,
    group,
    consumer,
    schema: sitesChangedV1,
    handler: thenInvalidate(
      idempotent(db, schema, group, async (trx, d) => {
        await upsertSiteSnapshot(trx as unknown as Kysely<TenancyReadTables>, schema, d.envelope.payload.site);
      }),
    ),
  });
  const keys = transport.subscribe({
    stream: Streams.apiKeysChanged,
    group,
    consumer,
    schema: apiKeysChangedV1,
    handler: thenInvalidate(
      idempotent(db, schema, group, async (trx, d) => {
        await upsertApiKeySnapshot(trx as unknown as Kysely<TenancyReadTables>, schema, d.envelope.payload.key);
      }),
    ),
  });
  return [sites, keys];
}
