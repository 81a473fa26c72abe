import type { Kysely } from 'kysely';
import { Streams } from '../contracts/streams';
import type { StreamSubscriptionRef } from '../streams/stream-metrics';
import type { StreamTransport, Subscription } from '../streams/transport';
import { cachedDirectory, type TenancyDirectory } from './directory';
import { subscribeTenancyReadModel } from './read-model.consumers';
import type { TenancyReadTables } from './read-model.tables';
import { findApiKeyReadByHash, findSiteReadById } from './read-model.repository';

/** A consuming service's view of sites and keys: the read model, its consumers and its cache. */
export function createTenancyReadModel(opts: {
  db: Kysely<any>;
  schema: string;
  transport: StreamTransport;
  group: string;
  consumer: string;
}): { directory: TenancyDirectory; streams: StreamSubscriptionRef[]; start(): void; stop(): Promise<void> } {
  const db = opts.db as Kysely<TenancyReadTables>;
  const directory = cachedDirectory({
    findSite: (id) => findSiteReadById(db, opts.schema, id),
    findKeyByHash: (hash) => findApiKeyReadByHash(db, opts.schema, hash),
  });
  let subs: Subscription[] = [];
  return {
    directory,
    streams: [Streams.sitesChanged, Streams.apiKeysChanged].map((stream) => ({ stream, group: opts.group })),
    start() {
      subs = subscribeTenancyReadModel({ ...opts, directory });
    },
    async stop() {
      await Promise.all(subs.map((s) => s.stop()));
      subs = [];
    },
  };
}
