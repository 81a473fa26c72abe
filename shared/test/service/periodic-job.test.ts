import { PeriodicJob } from '../../src/service/periodic-job';
import type { Logger } from '../../src/logger';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** Waits until `check()` holds (a loaded machine may be slow to fire timers). */
async function until(check: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await sleep(5);
  }
}

/** A logger that keeps its warnings. */
function recordingLogger() {
  const warnings: unknown[] = [];
  const logger = { warn: (obj: unknown) => warnings.push(obj), info: () => undefined, debug: () => undefined } as unknown as Logger;
  return { logger, warnings };
}

describe('a periodic job', () => {
  afterEach(() => jest.useRealTimers());

  it('when the interval is an hour, then the first run comes a minute after start, and the next an hour later', async () => {
    jest.useFakeTimers();
    let runs = 0;
    const job = new PeriodicJob({ name: 'hourly', everyMs: 3_600_000, run: async () => void runs++ });
    job.start();
    await jest.advanceTimersByTimeAsync(59_999);
    expect(runs).toBe(0);
    await jest.advanceTimersByTimeAsync(1);
    expect(runs).toBe(1);
    await jest.advanceTimersByTimeAsync(3_599_999);
    expect(runs).toBe(1);
    await jest.advanceTimersByTimeAsync(1);
    expect(runs).toBe(2);
    await job.stop();
  });

  it('when a run outlasts the interval, then the next one waits for it instead of overlapping', async () => {
    let running = 0;
    let most = 0;
    let runs = 0;
    const job = new PeriodicJob({
      name: 'slow',
      everyMs: 10,
      run: async () => {
        running++;
        most = Math.max(most, running);
        await sleep(60);
        running--;
        runs++;
      },
    });
    job.start();
    await until(() => runs >= 3);
    await job.stop();
    expect(most).toBe(1);
  });

  it('when a run fails, then its message alone is logged and the next run goes ahead', async () => {
    const { logger, warnings } = recordingLogger();
    let runs = 0;
    const job = new PeriodicJob({
      name: 'flaky',
      everyMs: 10,
      logger,
      run: async () => {
        runs++;
        if (runs === 1) throw Object.assign(new Error('database went away'), { detail: 'Key (email)=(ada@example.org)' });
      },
    });
    job.start();
    await until(() => runs >= 2);
    await job.stop();
    expect(warnings[0]).toEqual({ job: 'flaky', err: { message: 'database went away' } });
    expect(JSON.stringify(warnings)).not.toContain('ada@example.org');
  });

  it('when it stops during a run, then the run is told to stop, stop() waits for it, and no run follows', async () => {
    let aborted = false;
    let finished = false;
    let runs = 0;
    const job = new PeriodicJob({
      name: 'long',
      everyMs: 10,
      run: async (signal) => {
        runs++;
        while (!signal.aborted) await sleep(5);
        aborted = true;
        await sleep(20);
        finished = true;
      },
    });
    job.start();
    await until(() => runs === 1);
    await job.stop();
    expect({ aborted, finished, runs }).toEqual({ aborted: true, finished: true, runs: 1 });
    await sleep(50);
    expect(runs).toBe(1);
  });
});
