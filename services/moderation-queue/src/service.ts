import type { Kysely } from 'kysely';
import {
  OutboxRelay,
  cachedDirectory,
  connectCounterStore,
  createLiveChannel,
  createRateLimiter,
  readinessChecks,
  sharedCounterKey,
  type OutboxEvent,
  type ServiceModule,
  type Subscription,
} from '@parley/shared';
import { migrations } from '../migrations';
import { createApp } from './app';
import { moderationConfig, type Config } from './config';
import { SCHEMA, type ModerationDb } from './db/tables';
import { ensureBootstrapAdmin } from './domain/api-keys';
import type { UseCaseContext } from './domain/context';
import { QueueLiveHub, type QueueChange } from './domain/queue-live-hub';
import { RetentionJob } from './jobs/retention.job';
import { WebhookDispatcher } from './jobs/webhook-dispatcher.job';
import { sealWebhookSecrets } from './domain/webhooks';
import { secretBox } from './domain/webhook-secrets';
import { findApiKeyByHash } from './repositories/api-key.repository';
import { findSiteById } from './repositories/site.repository';
import { LIVE_QUEUE_CHANNEL, LiveQueueFanOut } from './streams/live-queue.channel';
import { subscribePrivacyRequests } from './streams/privacy-requests.consumer';
import { subscribeReported } from './streams/reported.consumer';
import { subscribeStatusChanged } from './streams/status-changed.consumer';
import { BacklogSignal, subscribeSubmitted } from './streams/submitted.consumer';

export const moderationQueue: ServiceModule<Config> = {
  name: 'moderation-queue',
  schema: SCHEMA,
  migrations,
  async create({ config: given, logger, metrics, db, transport, consumerName }) {
    const config = moderationConfig(given);
    const kdb = db.db as Kysely<ModerationDb>;
    const relay = new OutboxRelay({ db: db.db, schema: SCHEMA, transport, metrics, logger });
    const secrets = secretBox(config.MODERATION_SECRETS_KEY, config.MODERATION_SECRETS_KEY_PREVIOUS);
    const webhooks = new WebhookDispatcher({
      db: kdb,
      secrets,
      logger,
      idleMs: config.WEBHOOK_POLL_MS,
      retryBaseMs: config.WEBHOOK_RETRY_BASE_MS,
      maxAttempts: config.WEBHOOK_MAX_ATTEMPTS,
      timeoutMs: config.WEBHOOK_TIMEOUT_MS,
    });
    // The source of truth is local, but cached all the same: every API call checks a key.
    const directory = cachedDirectory({ findSite: (id) => findSiteById(kdb, id), findKeyByHash: (h) => findApiKeyByHash(kdb, h) });
    // Every instance's open live-queue streams hear every instance's changes (ADR 0014).
    const hub = new QueueLiveHub();
    const live = new LiveQueueFanOut(createLiveChannel({ databaseUrl: config.DATABASE_URL, channel: LIVE_QUEUE_CHANNEL, logger }), hub, logger);
    const afterCommit = () => {
      relay.kick();
      webhooks.kick();
    };
    const ctx: UseCaseContext = {
      db: kdb,
      live,
      secrets,
      afterCommit: () => {
        directory.invalidate();
        afterCommit();
      },
    };
    const counters = await connectCounterStore(config.REDIS_URL, logger);
    const authFailures = {
      limiter: createRateLimiter({ redis: counters, keyPrefix: `${config.REDIS_KEY_PREFIX}moderation:auth:`, logger }),
      hashKey: await sharedCounterKey(counters, `${config.REDIS_KEY_PREFIX}moderation:auth-hash-key`),
    };
    const app = createApp({ config, logger, metrics, ctx, directory, liveHub: hub, authFailures, readiness: readinessChecks(db, transport, SCHEMA, migrations) });
    let subscriptions: Subscription[] = [];
    const retention = new RetentionJob({
      db: kdb,
      logger,
      everyMs: config.RETENTION_INTERVAL_MS,
      unpublishedDays: config.RETENTION_UNPUBLISHED_DAYS,
      networkDays: config.RETENTION_NETWORK_DAYS,
      live,
    });
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
        await live.start();
        const { sealed, unreadable } = await sealWebhookSecrets(kdb, secrets);
        if (sealed > 0) logger.info({ webhooks: sealed }, 'webhook secrets sealed under the current MODERATION_SECRETS_KEY');
        if (unreadable.length > 0) {
          logger.warn({ webhooks: unreadable }, 'webhook secrets no configured key opens: their deliveries fail until they are registered again');
        }
        relay.start();
        webhooks.start();
        retention.start();
        const consumer = {
          db: kdb,
          transport,
          logger,
          claimIdleMs: config.STREAM_CLAIM_IDLE_MS,
          onChange: (change: QueueChange) => {
            // Webhooks of pipeline verdicts wait for the dispatcher's next poll: kicking it per
            // comment would run a transaction per comment for sites that have no webhooks at all.
            relay.kick();
            live.publish([change]);
          },
        };
        // The pipeline's verdicts leave at once, handed to the relay with their events (ADR 0015).
        const judging = { ...consumer, handOver: (events: OutboxEvent[]) => relay.handOver(events), onChange: (change: QueueChange) => live.publish([change]) };
        // Several consumers of one group, each taking its own batches: while one batch is judged, another
        // waits on Postgres. All but the first stand by until a backlog waits.
        const backlog = new BacklogSignal();
        subscriptions = [
          ...Array.from({ length: config.MODERATION_WORKER_CONCURRENCY }, (_, i) =>
            subscribeSubmitted({ ...judging, consumer: `${consumerName}#${i}`, batchSize: config.MODERATION_BATCH_SIZE, backlog: { signal: backlog, standby: i > 0 } }),
          ),
          subscribeReported({ ...consumer, consumer: consumerName }),
          subscribeStatusChanged({ ...consumer, consumer: consumerName }),
          subscribePrivacyRequests({ ...consumer, consumer: consumerName }),
        ];
      },
      async stop() {
        await retention.stop();
        await Promise.all(subscriptions.map((s) => s.stop()));
        subscriptions = [];
        await webhooks.stop();
        await relay.stop();
        await live.close();
        counters?.disconnect();
      },
    };
  },
};
