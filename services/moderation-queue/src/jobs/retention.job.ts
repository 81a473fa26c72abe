import type { Kysely } from 'kysely';
import { PeriodicJob, type Logger } from '@parley/shared';
import type { ModerationDb } from '../db/tables';
import { enforceRetention } from '../domain/enforce-retention';
import { forgetNetworkData, forgetReporterFingerprints, type NetworkDataScan } from '../domain/forget-network-data';
import type { QueueLivePublisher } from '../domain/queue-live-hub';

export interface RetentionJobOptions {
  db: Kysely<ModerationDb>;
  logger: Logger;
  /** How often both windows run (RETENTION_INTERVAL_MS). */
  everyMs: number;
  /** RETENTION_UNPUBLISHED_DAYS (0 keeps everything). */
  unpublishedDays: number;
  /** RETENTION_NETWORK_DAYS (0 keeps everything). */
  networkDays: number;
  /** Told of each erased comment, so moderators' live queues show it emptied. */
  live?: QueueLivePublisher;
}

/**
 * Moderation's two retention windows (DESIGN §7) on one timer, one after the other: unpublished
 * comments lose their personal data and text (enforce-retention.ts), then every old comment its
 * network data and every old report its reader's fingerprint (forget-network-data.ts). A window that fails is logged (its message only: an
 * error's other fields may quote personal data) and does not keep the other from running; the next
 * run tries it again. A first run on a large table may outlast the interval: the next one waits.
 */
export class RetentionJob {
  private readonly job: PeriodicJob;
  /**
   * Where the network window got, so each run reads only what aged since the last one rather than
   * the whole cleared prefix of the table again. In memory only: after a restart the first run starts
   * from the first comment again (reading, not rewriting, what is already cleared), later runs from
   * where it got.
   */
  private readonly networkScan: NetworkDataScan = {};
  /** The same for reports' fingerprints. */
  private readonly reportScan: NetworkDataScan = {};

  constructor(private readonly o: RetentionJobOptions) {
    this.job = new PeriodicJob({ name: 'retention', everyMs: o.everyMs, logger: o.logger, run: (signal) => this.run(signal) });
  }

  start(): void {
    this.job.start();
  }

  stop(): Promise<void> {
    return this.job.stop();
  }

  /** One run of both windows (the timer's; tests call it directly). */
  async run(signal?: AbortSignal): Promise<void> {
    const { db, logger, unpublishedDays, networkDays, live } = this.o;
    await this.isolated('unpublished', async () => {
      const erased = await enforceRetention(db, unpublishedDays, { signal, live });
      if (erased > 0) logger.info({ erased, days: unpublishedDays }, 'unpublished comments past retention erased');
    });
    if (signal?.aborted) return;
    await this.isolated('network', async () => {
      const cleared = await forgetNetworkData(db, networkDays, this.networkScan, { signal });
      if (cleared > 0) logger.info({ cleared, days: networkDays }, 'network data of comments past retention cleared');
    });
    if (signal?.aborted) return;
    await this.isolated('reports', async () => {
      const cleared = await forgetReporterFingerprints(db, networkDays, this.reportScan, { signal });
      if (cleared > 0) logger.info({ cleared, days: networkDays }, 'reporters’ fingerprints past retention cleared');
    });
  }

  private async isolated(window: 'unpublished' | 'network' | 'reports', step: () => Promise<void>): Promise<void> {
    try {
      await step();
    } catch (err) {
      this.o.logger.warn(
        { job: 'retention', window, err: { message: err instanceof Error ? err.message : String(err) } },
        'retention window failed; the next run tries again',
      );
    }
  }
}
