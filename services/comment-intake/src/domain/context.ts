import type { Kysely } from 'kysely';
import type { Logger, SiteRecord } from '@parley/shared';
import type { IntakeDb } from '../db/tables';
import type { Privacy } from './privacy';
import type { ThreadLiveHub } from './thread-live-hub';
import type { ThreadPageCache } from './thread-page-cache';

/** What intake's use cases need; built once in service.ts. */
export interface IntakeContext {
  db: Kysely<IntakeDb>;
  privacy: Privacy;
  findSite(id: string): Promise<SiteRecord | undefined>;
  formTokenTtlMs: number;
  pages: ThreadPageCache;
  live: ThreadLiveHub;
  /** Wakes the outbox relay once a transaction that enqueued events has committed. */
  afterCommit(): void;
  now(): Date;
  logger: Logger;
}
