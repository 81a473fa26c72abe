import { commentsSubmittedV1 } from '../../src/contracts/events';
import { createMetrics } from '../../src/metrics';
import { createMemoryTransport, createTransport, sampleStreamMetrics } from '../../src/streams';
import { describeTransportContract, message, waitFor } from './transport.contract';

describeTransportContract('memory', async (options = {}) => {
  const transport = createMemoryTransport({ maxLen: options.maxLen, metrics: options.metrics });
  return {
    transport,
    publishRaw: async (stream, raw) => void (await transport.publishRaw(stream, raw)),
    cleanup: () => transport.close(),
  };
});

describe('memory transport', () => {
  test('when more than maxLen messages are published, then exactly the newest maxLen are kept', async () => {
    const transport = createMemoryTransport({ maxLen: 50 });
    const sent = Array.from({ length: 2_000 }, () => message());
    await transport.publishMany('trim', sent);

    const seen: string[] = [];
    const sub = transport.subscribe({
      stream: 'trim',
      group: 'g',
      consumer: 'c',
      schema: commentsSubmittedV1,
      handler: async (d) => void seen.push(d.envelope.id),
    });
    await waitFor(() => seen.length === 50);
    await sub.stop();
    expect(seen).toEqual(sent.slice(-50).map((m) => m.id));
    expect(await transport.stats('trim', 'g')).toEqual({ length: 50, pending: 0, lag: 0, deadLetters: 0 });
    await transport.close();
  });

  test('when entry ids are compared, then they increase strictly in publish order', async () => {
    const transport = createMemoryTransport();
    const ids = await transport.publishMany('ids', Array.from({ length: 500 }, () => message()));
    const keys = ids.map((id) => id.split('-').map(Number) as [number, number]);
    for (let i = 1; i < keys.length; i++) {
      const [ms, n] = keys[i]!;
      const [prevMs, prevN] = keys[i - 1]!;
      expect(ms > prevMs || (ms === prevMs && n > prevN)).toBe(true);
    }
    await transport.close();
  });

  test('when stream metrics are sampled, then the lag and pending gauges hold the current stats', async () => {
    const metrics = createMetrics('test');
    const transport = createTransport({ metrics });
    expect(transport.kind).toBe('memory');
    await transport.publishMany('sampled', [message(), message(), message()]);

    await sampleStreamMetrics(metrics, transport, [{ stream: 'sampled', group: 'g' }]);
    expect((await metrics.streamLag.get()).values).toEqual([{ value: 3, labels: { stream: 'sampled', group: 'g' } }]);
    expect((await metrics.streamPending.get()).values).toEqual([{ value: 0, labels: { stream: 'sampled', group: 'g' } }]);
    await transport.close();
  });
});
