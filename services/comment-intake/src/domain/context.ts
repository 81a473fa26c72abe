import type { Kysely } from 'kysely';
import type { Logger, OutboxEvent, SiteRecord } from '@parley/shared';
import type { IntakeDb } from '../db/tables';
import type { Privacy } from './privacy';
import type { ThreadChanged, ThreadLiveHub } from './thread-live-hub';
import type { ThreadPageCache } from './thread-page-cache';

/** What intake's use cases need; built once in service.ts. */
export interface IntakeContext {
  db: Kysely<IntakeDb>;
  privacy: Privacy;
  findSite(id: string): Promise<SiteRecord | undefined>;
  formTokenTtlMs: number;
  pages: ThreadPageCache;
  /** Open server-sent-event streams of this instance (subscribe here; publish through threadChanged). */
  live: ThreadLiveHub;
  /** After a committed change readers see: pages and streams of this instance and of the others follow. */
  threadChanged: ThreadChanged;
  /**
   * After a transaction that enqueued events has committed: with its events, hands them to the
   * outbox relay to publish at once (ADR 0015); without, wakes the relay to read them.
   */
  afterCommit(events?: readonly OutboxEvent[]): void;
  now(): Date;
  logger: Logger;
}
