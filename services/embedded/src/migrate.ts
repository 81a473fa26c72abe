/** `npm run migrate`: applies every service's migrations to DATABASE_URL (or the embedded PGlite). */
import { acquireDataDirLock, commonEnvSchema, createLogger, loadConfig, migrateService, openDatabase } from '@parley/shared';
import { commentIntake } from '@parley/comment-intake';
import { moderationQueue } from '@parley/moderation-queue';
import { cookieConsent } from '@parley/cookie-consent';

async function main(): Promise<void> {
  const config = loadConfig(commonEnvSchema);
  const logger = createLogger('migrate', config.LOG_LEVEL);
  const release = config.DATABASE_URL ? async () => undefined : await acquireDataDirLock(config.DATA_DIR);
  const db = await openDatabase(config, logger);
  try {
    for (const m of [commentIntake, moderationQueue, cookieConsent]) await migrateService(db, m, logger);
    logger.info('all schemas are up to date');
  } finally {
    await db.close();
    await release();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`migrate: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
