/**
 * `npm start`: the whole stack in one process. With nothing set it runs on PGlite (data in
 * ./data) and the in-process stream transport; with DATABASE_URL and REDIS_URL it uses those.
 * Also serves a demo article page (a stand-in for a publisher's site) that hosts the scripts.
 */
import { z } from 'zod';
import {
  ConfigError,
  acquireDataDirLock,
  closeServer,
  commonEnvSchema,
  createLogger,
  createMetrics,
  createPglite,
  createTransport,
  env,
  installShutdown,
  listen,
  loadConfig,
  migrateService,
  openDatabase,
  streamRetentionJob,
  type ServiceInstance,
  type ServiceModule,
  type ShutdownStep,
} from '@parley/shared';
import { commentIntake, configSchema as intakeSchema } from '@parley/comment-intake';
import { moderationQueue, configSchema as moderationSchema } from '@parley/moderation-queue';
import { cookieConsent, configSchema as consentSchema } from '@parley/cookie-consent';

import { demoSiteServer, ensureDemoSite } from './demo/demo-site';
import { replayRecentOutbox } from './replay';

const configSchema = commonEnvSchema.extend({
  DEMO_PORT: env.port(4000),
  INTAKE_PORT: env.port(4001),
  MODERATION_PORT: env.port(4002),
  CONSENT_PORT: env.port(4003),
  BOOTSTRAP_ADMIN_KEY: z.string().optional(),
  PUBLIC_HOST: z.string().default('localhost'),
});

async function main(): Promise<void> {
  let config: z.infer<typeof configSchema>;
  try {
    config = loadConfig(configSchema);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`parley: ${err.message}\n`);
      process.exit(78);
    }
    throw err;
  }
  const logger = createLogger('parley', config.LOG_LEVEL);
  const embedded = !config.DATABASE_URL;
  const releaseLock = embedded ? await acquireDataDirLock(config.DATA_DIR) : async () => undefined;
  // One PGlite for all three services: it is a single-writer database in this process.
  const pglite = embedded ? await createPglite(`${config.DATA_DIR}/pg`) : undefined;
  const db = await openDatabase(config, logger, pglite);
  const metrics = createMetrics('parley', { defaultMetrics: true });
  const transport = createTransport({
    redisUrl: config.REDIS_URL,
    keyPrefix: config.REDIS_KEY_PREFIX,
    maxLen: config.STREAM_MAX_LEN,
    defaultMaxDeliveries: config.STREAM_MAX_DELIVERIES,
    defaultClaimIdleMs: config.STREAM_CLAIM_IDLE_MS,
    metrics,
    logger,
  });

  // Each service reads its own variables (keys, limits) from the same environment, with its port.
  const modules: [ServiceModule<any>, z.ZodType, number][] = [
    [commentIntake, intakeSchema, config.INTAKE_PORT],
    [moderationQueue, moderationSchema, config.MODERATION_PORT],
    [cookieConsent, consentSchema, config.CONSENT_PORT],
  ];
  for (const [m] of modules) await migrateService(db, m, logger);
  // The in-process transport forgets on exit: events the last run published but had not handled
  // yet are published again (consumers are idempotent, so the rest is a no-op).
  if (transport.kind === 'memory') await replayRecentOutbox(db.db, modules.map(([m]) => m.schema));

  const running: { service: ServiceInstance; server: import('node:http').Server; url: string }[] = [];
  for (const [m, schema, port] of modules) {
    const service = await m.create({
      config: loadConfig(schema, { ...process.env, PORT: String(port) }),
      logger: logger.child({ service: m.name }),
      metrics: createMetrics(m.name),
      db,
      transport,
      consumerName: `${m.name}@embedded`,
    });
    const bound = await listen(service.app, port);
    running.push({ service, server: bound.server, url: `http://${config.PUBLIC_HOST}:${bound.port}` });
  }
  for (const r of running) await r.service.start();
  const streamRetention = streamRetentionJob({ transport, hours: config.STREAM_RETENTION_HOURS, logger });
  streamRetention?.start();

  const [intake, moderation, consent] = running.map((r) => r.url) as [string, string, string];
  const demoOrigin = `http://${config.PUBLIC_HOST}:${config.DEMO_PORT}`;
  await ensureDemoSite(db.db, demoOrigin);
  const demo = await listen(demoSiteServer({ intake, consent }), config.DEMO_PORT);

  process.stdout.write(
    [
      '',
      `  Parley is running (${embedded ? 'embedded: PGlite in ' + config.DATA_DIR + ', in-process streams' : 'Postgres + ' + transport.kind + ' streams'})`,
      `  demo article page   ${demoOrigin}/`,
      `  comment-intake      ${intake}`,
      `  moderation-queue    ${moderation}`,
      `  cookie-consent      ${consent}`,
      '',
    ].join('\n') + '\n',
  );

  const steps: ShutdownStep[] = [
    { name: 'http', run: async () => void (await Promise.all([demo.server, ...running.map((r) => r.server)].map(closeServer))) },
    ...running.map((r) => ({ name: r.service.name, run: () => r.service.stop() })),
    { name: 'stream retention', run: async () => streamRetention?.stop() },
    { name: 'streams', run: () => transport.close() },
    { name: 'database', run: () => db.close() },
    { name: 'lock', run: releaseLock },
  ];
  installShutdown(logger, steps, config.SHUTDOWN_TIMEOUT_MS);
}

main().catch((err: unknown) => {
  process.stderr.write(`parley: failed to start: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
