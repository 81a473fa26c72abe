import type { Kysely } from 'kysely';
import { OutboxRelay, cachedDirectory, readinessChecks, type ServiceModule } from '@parley/shared';
import { migrations } from '../migrations';
import { createApp } from './app';
import type { Config } from './config';
import { SCHEMA, type ModerationDb } from './db/tables';
import { ensureBootstrapAdmin } from './domain/api-keys';
import type { UseCaseContext } from './domain/context';
import { findApiKeyByHash } from './repositories/api-key.repository';
import { findSiteById } from './repositories/site.repository';

export const moderationQueue: ServiceModule<Config> = {
  name: 'moderation-queue',
  schema: SCHEMA,
  migrations,
  async create({ config, logger, metrics, db, transport }) {
    const kdb = db.db as Kysely<ModerationDb>;
    const relay = new OutboxRelay({ db: db.db, schema: SCHEMA, transport, metrics, logger });
    // The source of truth is local, but cached all the same: every API call checks a key.
    const directory = cachedDirectory({ findSite: (id) => findSiteById(kdb, id), findKeyByHash: (h) => findApiKeyByHash(kdb, h) });
    const ctx: UseCaseContext = {
      db: kdb,
      afterCommit: () => {
        directory.invalidate();
        relay.kick();
      },
    };
    const app = createApp({ config, logger, metrics, ctx, directory, readiness: readinessChecks(db, transport, SCHEMA, migrations) });
    return {
      name: 'moderation-queue',
      app,
      async start() {
        const boot = await ensureBootstrapAdmin(ctx, config.BOOTSTRAP_ADMIN_KEY);
        if (boot.secret) {
          // Shown once, on the terminal only (never in the JSON logs): the store keeps just its hash.
          process.stdout.write(
            `\n  First start: an admin API key was created. Keep it now; it is not shown again.\n  ${boot.secret}\n\n`,
          );
        }
        relay.start();
      },
      async stop() {
        await relay.stop();
      },
    };
  },
};
