import { EventStreams } from '../contracts/streams';
import { silentLogger, type Logger } from '../logger';
import type { StreamTransport } from '../streams';
import { PeriodicJob } from './periodic-job';

export interface StreamRetentionOptions {
  transport: StreamTransport;
  /** STREAM_RETENTION_HOURS; 0 turns age-based trimming off (MAXLEN still applies). */
  hours: number;
  everyMs?: number;
  logger?: Logger;
  now?: () => number;
}

/**
 * Stream history outlives the rows it came from: comments.submitted still holds a comment's text and
 * its author's name after the comment was erased. This job trims every event stream (and its dead
 * letters) to `hours`, hourly, never past what a consumer group has yet to read and acknowledge.
 * Every process runs it over every event stream: trimming is idempotent, and a stack with one
 * service down is still trimmed.
 */
export function streamRetentionJob(o: StreamRetentionOptions): PeriodicJob | undefined {
  if (o.hours === 0) return undefined;
  const logger = o.logger ?? silentLogger;
  const now = o.now ?? Date.now;
  return new PeriodicJob({
    name: 'stream retention',
    everyMs: o.everyMs ?? 3_600_000,
    logger,
    run: async (signal) => {
      const before = new Date(now() - o.hours * 3_600_000);
      for (const stream of EventStreams) {
        if (signal.aborted) return;
        const trimmed = await o.transport.trimBefore(stream, before);
        if (trimmed > 0) logger.info({ stream, trimmed, hours: o.hours }, 'stream entries past retention trimmed');
      }
    },
  });
}
