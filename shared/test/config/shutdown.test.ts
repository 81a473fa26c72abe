import { runShutdown, silentLogger } from '../../src';

describe('graceful shutdown', () => {
  it('when steps succeed, then they run in order and the shutdown is clean', async () => {
    const order: string[] = [];
    const step = (name: string) => ({ name, run: async () => void order.push(name) });
    await expect(runShutdown(silentLogger, [step('http'), step('consumers'), step('pool')], 1000)).resolves.toBe(true);
    expect(order).toEqual(['http', 'consumers', 'pool']);
  });

  it('when a step hangs or fails, then the later steps still run and the shutdown is reported unclean', async () => {
    const order: string[] = [];
    const clean = await runShutdown(
      silentLogger,
      [
        { name: 'hangs', run: () => new Promise<void>(() => undefined) },
        { name: 'fails', run: async () => Promise.reject(new Error('boom')) },
        { name: 'pool', run: async () => void order.push('pool') },
      ],
      200,
    );
    expect(clean).toBe(false);
    expect(order).toEqual(['pool']);
  });
});
