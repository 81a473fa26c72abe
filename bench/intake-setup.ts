/**
 * What the comment-intake benches share: intake on loopback against a database and Redis prefix of
 * its own (deleted afterwards) with one site, `bench`, whose origin is allowed and whose limits never
 * bite (their Redis round trips are still paid). Load comes from bench/load.ts.
 */
import { randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import { siteSettingsSchema, upsertSiteSnapshot, type DatabaseHandle, type StreamTransport, type TenancyReadTables } from '@parley/shared';
import { commentIntake } from '@parley/comment-intake';
import { ORIGIN } from './load';
import type { ServiceProcess } from './processes';
import { startBenchService, startScratchProcess } from './scratch';

export const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 100);

export interface BenchIntake {
  url: string;
  db: DatabaseHandle<any>;
  transport: StreamTransport;
  databaseKind: 'postgres' | 'pglite';
  stop(): Promise<void>;
}

/** Limits are on (their Redis round trips are part of the cost) but never bite; BENCH_NO_RATE_LIMITS switches them off. */
const RATE_LIMIT = process.env.BENCH_NO_RATE_LIMITS ? 0 : 100_000_000;

/** What intake started from its entry point needs besides its database and Redis: its keys and its limits. */
export function intakeProcessEnv(): Record<string, string> {
  return {
    INTAKE_HASH_KEY: randomBytes(32).toString('hex'),
    INTAKE_EMAIL_KEY: randomBytes(32).toString('hex'),
    RATE_LIMIT_IP_PER_MINUTE: String(RATE_LIMIT),
    RATE_LIMIT_EMAIL_PER_MINUTE: String(RATE_LIMIT),
    RATE_LIMIT_SITE_PER_MINUTE: String(RATE_LIMIT),
  };
}

const BENCH_SITE = {
  id: 'bench',
  name: 'bench',
  allowedOrigins: [ORIGIN],
  settings: siteSettingsSchema.parse({ comments: { minSubmitSeconds: 0 } }),
  status: 'active' as const,
  version: 1,
};

export async function startBenchIntake(): Promise<BenchIntake> {
  const intake = await startBenchService(commentIntake, 'intake', {
    RATE_LIMIT_IP_PER_MINUTE: RATE_LIMIT,
    RATE_LIMIT_EMAIL_PER_MINUTE: RATE_LIMIT,
    RATE_LIMIT_SITE_PER_MINUTE: RATE_LIMIT,
  });
  await upsertSiteSnapshot(intake.db.db as Kysely<TenancyReadTables>, 'intake', { ...BENCH_SITE, updatedAt: new Date().toISOString() });
  return { ...intake, databaseKind: 'postgres' };
}

/** The same, but intake as production runs it: its own process from its entry point (see startScratchProcess). */
export function startIntakeProcess(): Promise<ServiceProcess> {
  return startScratchProcess('comment-intake', commentIntake, intakeProcessEnv(), async (db) => {
    await upsertSiteSnapshot(db.db as Kysely<TenancyReadTables>, 'intake', { ...BENCH_SITE, updatedAt: new Date().toISOString() });
  });
}
