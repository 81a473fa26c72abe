import type { Kysely } from 'kysely';
import {
  ConfigError,
  ConsumerGroups,
  OutboxRelay,
  Streams,
  connectCounterStore,
  createRateLimiter,
  createTenancyReadModel,
  readinessChecks,
  watchStreams,
  type OutboxEvent,
  type ServiceModule,
  type Subscription,
  PeriodicJob,
} from '@parley/shared';
import { migrations } from '../migrations';
import { createApp } from './app';
import { buildBanner } from './banner/build-banner';
import { configSchema, DEV_IP_HASH_KEY, DEV_SIGNING_KEY, type Config } from './config';
import { SCHEMA, type ConsentDb } from './db/tables';
import { subscribeConsentStats } from './streams/consent-recorded.consumer';
import { ChainAppender } from './domain/chain-appender';
import type { UseCaseContext } from './domain/context';
import { enforceRetention } from './domain/enforce-retention';
import { createReceiptSigner } from './domain/receipt-signer';
import { rememberSigningKey } from './repositories/signing-key.repository';

export const cookieConsent: ServiceModule<Config> = {
  name: 'cookie-consent',
  schema: SCHEMA,
  migrations,
  async create({ config: given, logger, metrics, db, transport, consumerName }) {
    // Launchers that only know the common variables hand over a partial object: fill in ours.
    const parsed = configSchema.safeParse(given);
    if (!parsed.success) throw new ConfigError(parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`));
    const config = parsed.data;
    const tenancy = createTenancyReadModel({
      db: db.db,
      schema: SCHEMA,
      transport,
      group: ConsumerGroups.cookieConsent,
      consumer: consumerName,
    });
    // Lag and pending of every stream this service consumes, sampled on each /metrics scrape.
    watchStreams(metrics, transport, [...tenancy.streams, { stream: Streams.consentRecorded, group: ConsumerGroups.cookieConsent }], logger);
    const relay = new OutboxRelay({ db: db.db, schema: SCHEMA, transport, metrics, logger });
    if (!config.CONSENT_SIGNING_KEY) logger.warn('CONSENT_SIGNING_KEY is not set: receipts are signed with the public development key');
    const kdb = db.db as Kysely<ConsentDb>;
    const signer = createReceiptSigner(config.CONSENT_SIGNING_KEY ?? DEV_SIGNING_KEY);
    // Published from now on, also after the key is rotated away (receipts outlive keys).
    await rememberSigningKey(kdb, signer.kid, { ...signer.jwk }, new Date());
    // With its events, a commit hands them to the relay to publish at once (ADR 0015); without, wakes it.
    const afterCommit = (events?: readonly OutboxEvent[]) => (events ? relay.handOver(events) : relay.kick());
    const ctx: UseCaseContext = {
      db: kdb,
      afterCommit,
      signer,
      chain: new ChainAppender({ db: kdb, signer, issuer: config.CONSENT_PUBLIC_URL, afterCommit }),
      ipHashKey: Buffer.from(config.CONSENT_IP_HASH_KEY ?? DEV_IP_HASH_KEY, 'hex'),
      issuer: config.CONSENT_PUBLIC_URL,
    };
    const banner = await buildBanner();
    logger.info({ version: banner.version, bytes: banner.bytes, gzipBytes: banner.gzipBytes }, 'banner built');
    const counters = await connectCounterStore(config.REDIS_URL, logger);
    const limiter = createRateLimiter({ redis: counters, keyPrefix: `${config.REDIS_KEY_PREFIX}consent:rl:`, logger });
    const app = createApp({
      config,
      limiter,
      logger,
      metrics,
      ctx,
      banner,
      directory: tenancy.directory,
      readiness: readinessChecks(db, transport, SCHEMA, migrations),
    });
    let stats: Subscription | undefined;
    const retention = new PeriodicJob({
      name: 'consent retention',
      everyMs: config.CONSENT_RETENTION_INTERVAL_MS,
      logger,
      run: async () => {
        const deleted = await enforceRetention(kdb, config.CONSENT_RETENTION_DAYS);
        if (deleted.records || deleted.idempotencyKeys) logger.info(deleted, 'consent retention applied');
      },
    });
    return {
      name: 'cookie-consent',
      app,
      async start() {
        tenancy.start();
        relay.start();
        stats = subscribeConsentStats({ db: kdb, transport, consumer: consumerName });
        retention.start();
      },
      async stop() {
        await retention.stop();
        await stats?.stop();
        await tenancy.stop();
        await relay.stop();
        counters?.disconnect();
      },
    };
  },
};
