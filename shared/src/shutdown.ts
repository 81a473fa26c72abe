import type { Logger } from './logger';

export type ShutdownStep = { name: string; run: () => Promise<void> };

/**
 * On SIGTERM/SIGINT: runs the steps in order (stop accepting → drain handlers → close pools), each
 * bounded by what is left of `timeoutMs`, then exits. A second signal exits at once.
 */
export function installShutdown(logger: Logger, steps: ShutdownStep[], timeoutMs: number): void {
  let shuttingDown = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (shuttingDown) {
      logger.warn({ signal }, 'second signal: exiting now');
      process.exit(1);
    }
    shuttingDown = true;
    logger.info({ signal }, 'shutting down');
    void runShutdown(logger, steps, timeoutMs).then((clean) => process.exit(clean ? 0 : 1));
  };
  process.once('SIGTERM', onSignal);
  process.once('SIGINT', onSignal);
}

export async function runShutdown(logger: Logger, steps: ShutdownStep[], timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  let clean = true;
  for (const step of steps) {
    const left = Math.max(0, deadline - Date.now());
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<'timeout'>((r) => {
      timer = setTimeout(() => r('timeout'), left);
    });
    try {
      const r = await Promise.race([step.run().then(() => 'done' as const), timedOut]);
      if (r === 'timeout') {
        clean = false;
        logger.warn({ step: step.name }, 'shutdown step timed out');
      }
    } catch (err) {
      clean = false;
      logger.error({ err, step: step.name }, 'shutdown step failed');
    } finally {
      clearTimeout(timer);
    }
  }
  return clean;
}
