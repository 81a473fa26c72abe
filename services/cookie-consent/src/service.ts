import type { Kysely } from 'kysely';
import { ConsumerGroups, OutboxRelay, createTenancyReadModel, readinessChecks, type ServiceModule } from '@parley/shared';
import { migrations } from '../migrations';
import { createApp } from './app';
import { buildBanner } from './banner/build-banner';
import { configSchema, DEV_IP_HASH_KEY, DEV_SIGNING_KEY, type Config } from './config';
import { SCHEMA, type ConsentDb } from './db/tables';
import type { UseCaseContext } from './domain/context';
import { createReceiptSigner } from './domain/receipt-signer';

export const cookieConsent: ServiceModule<Config> = {
  name: 'cookie-consent',
  schema: SCHEMA,
  migrations,
  async create({ config: given, logger, metrics, db, transport, consumerName }) {
    // Launchers that only know the common variables hand over a partial object: fill in ours.
    const config = configSchema.parse(given);
    const tenancy = createTenancyReadModel({
      db: db.db,
      schema: SCHEMA,
      transport,
      group: ConsumerGroups.cookieConsent,
      consumer: consumerName,
    });
    const relay = new OutboxRelay({ db: db.db, schema: SCHEMA, transport, metrics, logger });
    if (!config.CONSENT_SIGNING_KEY) logger.warn('CONSENT_SIGNING_KEY is not set: receipts are signed with the public development key');
    const ctx: UseCaseContext = {
      db: db.db as Kysely<ConsentDb>,
      afterCommit: () => relay.kick(),
      signer: createReceiptSigner(config.CONSENT_SIGNING_KEY ?? DEV_SIGNING_KEY),
      ipHashKey: Buffer.from(config.CONSENT_IP_HASH_KEY ?? DEV_IP_HASH_KEY, 'hex'),
      issuer: config.CONSENT_PUBLIC_URL,
    };
    const banner = await buildBanner();
    logger.info({ version: banner.version, bytes: banner.bytes, gzipBytes: banner.gzipBytes }, 'banner built');
    const app = createApp({
      config,
      logger,
      metrics,
      ctx,
      banner,
      directory: tenancy.directory,
      readiness: readinessChecks(db, transport, SCHEMA, migrations),
    });
    return {
      name: 'cookie-consent',
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
