/**
 * What the comment-intake benches share: intake on loopback against a database and Redis prefix of
 * its own (deleted afterwards) with one site, `bench`, whose origin is allowed and whose limits never
 * bite (their Redis round trips are still paid). Load comes from bench/load.ts.
 */
import type { Kysely } from 'kysely';
import { siteSettingsSchema, upsertSiteSnapshot, type DatabaseHandle, type StreamTransport, type TenancyReadTables } from '@parley/shared';
import { commentIntake } from '@parley/comment-intake';
import { ORIGIN } from './load';
import { startBenchService } from './scratch';

export const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 100);

export interface BenchIntake {
  url: string;
  db: DatabaseHandle<any>;
  transport: StreamTransport;
  databaseKind: 'postgres' | 'pglite';
  stop(): Promise<void>;
}

export async function startBenchIntake(): Promise<BenchIntake> {
  const intake = await startBenchService(commentIntake, 'intake', {
    // Limits are on (their Redis round trips are part of the cost) but never bite.
    ...(process.env.BENCH_NO_RATE_LIMITS
      ? { RATE_LIMIT_IP_PER_MINUTE: 0, RATE_LIMIT_EMAIL_PER_MINUTE: 0, RATE_LIMIT_SITE_PER_MINUTE: 0 }
      : { RATE_LIMIT_IP_PER_MINUTE: 100_000_000, RATE_LIMIT_EMAIL_PER_MINUTE: 100_000_000, RATE_LIMIT_SITE_PER_MINUTE: 100_000_000 }),
  });
  await upsertSiteSnapshot(intake.db.db as Kysely<TenancyReadTables>, 'intake', {
    id: 'bench',
    name: 'bench',
    allowedOrigins: [ORIGIN],
    settings: siteSettingsSchema.parse({ comments: { minSubmitSeconds: 0 } }),
    status: 'active',
    version: 1,
    updatedAt: new Date().toISOString(),
  });
  return { ...intake, databaseKind: 'postgres' };
}
