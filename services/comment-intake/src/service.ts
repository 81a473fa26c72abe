import type { Kysely } from 'kysely';
import {
  ConsumerGroups,
  OutboxRelay,
  Streams,
  connectCounterStore,
  createRateLimiter,
  createLiveChannel,
  createTenancyReadModel,
  readinessChecks,
  watchStreams,
  type ServiceModule,
  type Subscription,
  PeriodicJob,
} from '@parley/shared';
import { migrations } from '../migrations';
import { createApp } from './app';
import { intakeConfig, type Config } from './config';
import { SCHEMA, type IntakeDb } from './db/tables';
import type { IntakeContext } from './domain/context';
import { createPrivacy } from './domain/privacy';
import { NetworkDataRetention, enforceRetention } from './domain/enforce-retention';
import { pruneExpired } from './domain/prune-expired';
import { toPublicComment } from './domain/read-thread';
import { ThreadLiveHub } from './domain/thread-live-hub';
import { ThreadPageCache } from './domain/thread-page-cache';
import { findApprovedCommentById } from './repositories/comment.repository';
import { LIVE_THREAD_CHANNEL, LiveThreadFanOut } from './streams/live-thread.channel';
import { subscribeStatusChanged } from './streams/status-changed.consumer';
import { subscribeThreadsChanged } from './streams/threads-changed.consumer';
import { buildWidget } from './widget';

export const commentIntake: ServiceModule<Config> = {
  name: 'comment-intake',
  schema: SCHEMA,
  migrations,
  async create({ config: given, logger, metrics, db, transport, consumerName }) {
    const config = intakeConfig(given);
    const kdb = db.db as Kysely<IntakeDb>;
    const tenancy = createTenancyReadModel({
      db: db.db,
      schema: SCHEMA,
      transport,
      group: ConsumerGroups.commentIntake,
      consumer: consumerName,
    });
    // Lag and pending of every stream this service consumes, sampled on each /metrics scrape.
    watchStreams(
      metrics,
      transport,
      [
        ...tenancy.streams,
        { stream: Streams.commentsStatusChanged, group: ConsumerGroups.commentIntake },
        { stream: Streams.threadsChanged, group: ConsumerGroups.commentIntake },
      ],
      logger,
    );
    const relay = new OutboxRelay({ db: db.db, schema: SCHEMA, transport, metrics, logger });
    const privacy = createPrivacy(config.INTAKE_HASH_KEY, config.INTAKE_EMAIL_KEY);
    const pages = new ThreadPageCache(undefined, config.THREAD_VERSION_TTL_MS);
    const live = new ThreadLiveHub();
    // Every instance's cached pages and open streams follow every instance's changes (ADR 0014).
    const fanOut = new LiveThreadFanOut(
      createLiveChannel({ databaseUrl: config.DATABASE_URL, channel: LIVE_THREAD_CHANNEL, logger }),
      live,
      pages,
      async (site, thread, id) => {
        const row = await findApprovedCommentById(kdb, site, thread, id);
        return row && toPublicComment(row);
      },
      logger,
    );
    const ctx: IntakeContext = {
      db: kdb,
      privacy,
      findSite: (id) => tenancy.directory.findSite(id),
      formTokenTtlMs: config.FORM_TOKEN_TTL_SECONDS * 1000,
      pages,
      live,
      threadChanged: fanOut.changed,
      afterCommit: (events) => (events ? relay.handOver(events) : relay.kick()),
      now: () => new Date(),
      logger,
    };
    const redis = await connectCounterStore(config.REDIS_URL, logger);
    const limits = {
      privacy,
      redis,
      keyPrefix: config.REDIS_KEY_PREFIX,
      logger,
      // One script call per check (and one for every check made in the same event-loop turn): ADR 0011.
      limiter: createRateLimiter({ redis, keyPrefix: `${config.REDIS_KEY_PREFIX}intake:rl:`, logger }),
      perMinute: { ip: config.RATE_LIMIT_IP_PER_MINUTE, email: config.RATE_LIMIT_EMAIL_PER_MINUTE, site: config.RATE_LIMIT_SITE_PER_MINUTE },
    };
    const widget = await buildWidget();
    logger.info({ version: widget.version, bytes: widget.bytes, gzipBytes: widget.gzipBytes }, 'widget built');
    const app = createApp({ config, logger, metrics, ctx, limits, widget, directory: tenancy.directory, readiness: readinessChecks(db, transport, SCHEMA, migrations) });
    let statusChanged: Subscription | undefined;
    let threadsChanged: Subscription | undefined;
    const pruning = new PeriodicJob({
      name: 'pruning',
      everyMs: 3_600_000,
      logger,
      run: async () => logger.debug(await pruneExpired(ctx), 'expired idempotency keys and inbox entries pruned'),
    });
    const retention = new PeriodicJob({
      name: 'retention',
      everyMs: 3_600_000,
      logger,
      run: async () => {
        const days = config.RETENTION_UNPUBLISHED_DAYS;
        const erased = await enforceRetention(ctx, days);
        if (erased > 0) logger.info({ erased, days }, 'unpublished comments past retention erased');
      },
    });
    const network = new NetworkDataRetention(ctx, config.RETENTION_NETWORK_DAYS);
    const networkRetention = new PeriodicJob({
      name: 'network retention',
      everyMs: 3_600_000,
      logger,
      run: async () => {
        const cleared = await network.run();
        if (cleared.comments + cleared.reports > 0) logger.info({ ...cleared, days: config.RETENTION_NETWORK_DAYS }, 'network data past retention cleared');
      },
    });
    return {
      name: 'comment-intake',
      app,
      async start() {
        tenancy.start();
        await fanOut.start();
        statusChanged = subscribeStatusChanged({ db: kdb, transport, consumer: consumerName, threadChanged: fanOut.changed, logger });
        threadsChanged = subscribeThreadsChanged({ db: kdb, transport, consumer: consumerName, threadChanged: fanOut.changed, logger });
        relay.start();
        pruning.start();
        retention.start();
        networkRetention.start();
      },
      async stop() {
        await Promise.all([pruning.stop(), retention.stop(), networkRetention.stop()]);
        await statusChanged?.stop();
        await threadsChanged?.stop();
        await fanOut.close();
        await tenancy.stop();
        await relay.stop();
        redis?.disconnect();
      },
    };
  },
};
