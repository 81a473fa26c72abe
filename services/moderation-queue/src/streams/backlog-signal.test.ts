import { BacklogSignal, SLOW_BATCH_MS } from './submitted.consumer';

describe('BacklogSignal (when standby consumers of comments.submitted read)', () => {
  let clock: number;
  let signal: BacklogSignal;

  beforeEach(() => {
    clock = 1_000_000;
    signal = new BacklogSignal(() => clock);
  });

  test('when nothing has been read yet, then no backlog waits', () => {
    expect(signal.waiting).toBe(false);
  });

  test('when a read comes back full, then a backlog waits until a read comes back short', () => {
    signal.begin(200, 200);
    expect(signal.waiting).toBe(true);
    signal.judged();
    expect(signal.waiting).toBe(true);
    signal.begin(37, 200);
    expect(signal.waiting).toBe(false);
  });

  test('when a short batch is still being judged past the slow-batch limit, then standby consumers may read until it is judged', () => {
    signal.begin(3, 200);
    clock += SLOW_BATCH_MS;
    expect(signal.waiting).toBe(false);
    clock += 1;
    expect(signal.waiting).toBe(true);
    signal.judged();
    expect(signal.waiting).toBe(false);
  });

  test('when a standby consumer begins a batch beside a slow one, then the clock starts again from the newer batch', () => {
    signal.begin(3, 200);
    clock += SLOW_BATCH_MS + 1;
    signal.begin(5, 200);
    expect(signal.waiting).toBe(false);
    clock += SLOW_BATCH_MS + 1;
    expect(signal.waiting).toBe(true);
  });
});
