import { ConsumerGroups, OutboxRelay, createTenancyReadModel, readinessChecks, type ServiceModule } from '@parley/shared';
import { migrations } from '../migrations';
import { createApp } from './app';
import type { Config } from './config';
import { SCHEMA } from './db/tables';

export const commentIntake: ServiceModule<Config> = {
  name: 'comment-intake',
  schema: SCHEMA,
  migrations,
  async create({ config, logger, metrics, db, transport, consumerName }) {
    const tenancy = createTenancyReadModel({
      db: db.db,
      schema: SCHEMA,
      transport,
      group: ConsumerGroups.commentIntake,
      consumer: consumerName,
    });
    const relay = new OutboxRelay({ db: db.db, schema: SCHEMA, transport, metrics, logger });
    const app = createApp({ config, logger, metrics, directory: tenancy.directory, readiness: readinessChecks(db, transport, SCHEMA, migrations) });
    return {
      name: 'comment-intake',
      app,
      async start() {
        tenancy.start();
        relay.start();
      },
      async stop() {
        await tenancy.stop();
        await relay.stop();
      },
    };
  },
};
