import { silentLogger, type Logger } from '../logger';

export interface PeriodicJobOptions {
  /** For the logs. */
  name: string;
  everyMs: number;
  /**
   * The first run comes this long after start (default: a minute, or `everyMs` if shorter): a
   * service redeployed more often than `everyMs` still runs its job.
   */
  firstAfterMs?: number;
  /** The job; `signal` aborts when the service stops (end a long run between two steps). */
  run(signal: AbortSignal): Promise<void>;
  logger?: Logger;
}

/**
 * Housekeeping a service runs on a timer (retention, pruning). A run that outlasts the interval is
 * not overlapped; a failure is logged with its message only (an error's other fields may quote
 * personal data) and the next run tries again; stop() waits for the run under way. Timers are
 * unref'd, so a job never keeps a process alive.
 */
export class PeriodicJob {
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;
  private stopping = new AbortController();

  constructor(private readonly options: PeriodicJobOptions) {}

  start(): void {
    if (this.timer) return;
    this.stopping = new AbortController();
    const { everyMs, firstAfterMs = Math.min(60_000, everyMs) } = this.options;
    this.timer = setTimeout(() => {
      this.tick();
      this.timer = setInterval(() => this.tick(), everyMs);
      this.timer.unref();
    }, firstAfterMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearTimeout(this.timer);
    clearInterval(this.timer);
    this.timer = undefined;
    this.stopping.abort();
    await this.running;
  }

  private tick(): void {
    if (this.running) return;
    const logger = this.options.logger ?? silentLogger;
    this.running = this.options
      .run(this.stopping.signal)
      .catch((err: unknown) => logger.warn({ job: this.options.name, err: { message: err instanceof Error ? err.message : String(err) } }, 'periodic job failed; the next run tries again'))
      .finally(() => (this.running = undefined));
  }
}
