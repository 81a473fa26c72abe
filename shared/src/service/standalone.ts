import type { z } from 'zod';
import { loadConfig, ConfigError, type CommonConfig } from '../config';
import { closeServer, listen } from '../http/server';
import { createLogger } from '../logger';
import { createMetrics } from '../metrics';
import { installShutdown } from '../shutdown';
import { createTransport } from '../streams';
import { defaultConsumerName, migrateService, openDatabase, type ServiceModule } from './runtime';
import { streamRetentionJob } from './stream-retention';

/**
 * `npm run start:<service>`: one service in its own process. Loads config (failing fast with the
 * variable's name), migrates its schema, listens, starts its consumers, and shuts down gracefully.
 */
export async function runStandalone<C extends CommonConfig & { PORT: number }>(
  module: ServiceModule<C>,
  configSchema: z.ZodType<C>,
): Promise<void> {
  let config: C;
  try {
    config = loadConfig(configSchema as never, process.env) as C;
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${module.name}: ${err.message}\n`);
      process.exit(78); // EX_CONFIG
    }
    throw err;
  }
  const logger = createLogger(module.name, config.LOG_LEVEL);
  const metrics = createMetrics(module.name, { defaultMetrics: true });
  const db = await openDatabase(config, logger);
  await migrateService(db, module, logger);
  const transport = createTransport({
    redisUrl: config.REDIS_URL,
    keyPrefix: config.REDIS_KEY_PREFIX,
    maxLen: config.STREAM_MAX_LEN,
    defaultMaxDeliveries: config.STREAM_MAX_DELIVERIES,
    defaultClaimIdleMs: config.STREAM_CLAIM_IDLE_MS,
    metrics,
    logger,
  });
  const service = await module.create({ config, logger, metrics, db, transport, consumerName: defaultConsumerName(module.name) });
  const { server, port } = await listen(service.app, config.PORT);
  await service.start();
  const streamRetention = streamRetentionJob({ transport, hours: config.STREAM_RETENTION_HOURS, logger });
  streamRetention?.start();
  logger.info({ port, database: db.kind, streams: transport.kind }, `${module.name} listening`);
  installShutdown(
    logger,
    [
      { name: 'http', run: () => closeServer(server) },
      { name: 'service', run: () => service.stop() },
      { name: 'stream retention', run: async () => streamRetention?.stop() },
      { name: 'streams', run: () => transport.close() },
      { name: 'database', run: () => db.close() },
    ],
    config.SHUTDOWN_TIMEOUT_MS,
  );
}
