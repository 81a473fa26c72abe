import { Streams } from '../../src/contracts/streams';
import { streamRetentionJob } from '../../src/service/stream-retention';
import { commentsSubmittedV1 } from '../../src/contracts/events';
import { createRedisTransport, type StreamTransport } from '../../src/streams';
import { createTestRedisPrefix } from '../../src/testing/resources';
import { message, waitFor } from '../streams/transport.contract';

describe('stream retention over Redis', () => {
  let transport: StreamTransport;
  let cleanup: () => Promise<void>;

  beforeEach(() => {
    const test = createTestRedisPrefix();
    cleanup = test.cleanup;
    transport = createRedisTransport({ url: test.url, keyPrefix: test.prefix });
  });

  afterEach(async () => {
    await transport.close();
    await cleanup();
  });

  test('when event-stream entries are older than STREAM_RETENTION_HOURS and consumed, then the job trims them, and the site snapshots stay', async () => {
    const seen: string[] = [];
    const sub = transport.subscribe({
      stream: Streams.commentsSubmitted,
      group: 'moderation-queue',
      consumer: 'c1',
      schema: commentsSubmittedV1,
      handler: async (d) => void seen.push(d.envelope.id),
    });
    await transport.publishMany(Streams.commentsSubmitted, [message(), message(), message()]);
    await transport.publish(Streams.sitesChanged, message());
    await waitFor(async () => seen.length === 3 && (await transport.stats(Streams.commentsSubmitted, 'moderation-queue')).pending === 0);
    await sub.stop();

    // Two hours from now, entries written now are past a one-hour window.
    const job = streamRetentionJob({ transport, hours: 1, everyMs: 10, now: () => Date.now() + 2 * 3_600_000 });
    job!.start();
    try {
      await waitFor(async () => (await transport.stats(Streams.commentsSubmitted, 'moderation-queue')).length === 0);
    } finally {
      await job!.stop();
    }
    expect((await transport.stats(Streams.sitesChanged, 'comment-intake')).length).toBe(1);
  });

  test('when entries are within the window, then the job leaves them', async () => {
    await transport.publishMany(Streams.consentRecorded, [message(), message()]);
    let runs = 0;
    const job = streamRetentionJob({
      transport,
      hours: 1,
      everyMs: 10,
      now: () => {
        runs += 1;
        return Date.now();
      },
    });
    job!.start();
    await waitFor(() => runs >= 2);
    await job!.stop();
    expect((await transport.stats(Streams.consentRecorded, 'g')).length).toBe(2);
  });

  test('when STREAM_RETENTION_HOURS is 0, then there is no job', () => {
    expect(streamRetentionJob({ transport, hours: 0 })).toBeUndefined();
  });
});
