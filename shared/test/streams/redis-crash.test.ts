import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { pathToFileURL } from 'node:url';
import { commentsSubmittedV1 } from '../../src/contracts/events';
import { createRedisTransport, type Delivery, type StreamTransport } from '../../src/streams';
import { createTestRedisPrefix } from '../../src/testing/resources';
import { message, waitFor } from './transport.contract';

const VICTIM = join(__dirname, 'fixtures', 'crash-victim.ts');

describe('redis transport, consumer process crash', () => {
  let child: ChildProcess | undefined;
  let transport: StreamTransport | undefined;
  let cleanupKeys: (() => Promise<void>) | undefined;

  afterAll(async () => {
    if (child && child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL');
      await once(child, 'exit');
    }
    await transport?.close();
    await cleanupKeys?.();
  });

  test('when a consumer process is killed mid-handler, then another consumer reclaims the message and acks it', async () => {
    const { url, prefix, cleanup } = createTestRedisPrefix();
    cleanupKeys = cleanup;
    transport = createRedisTransport({ url, keyPrefix: prefix });
    const stream = 'crash.comments';
    const group = 'moderation';
    const sent = message();
    const entryId = await transport.publish(stream, sent);

    const victim = spawn(
      process.execPath,
      ['--import', pathToFileURL(require.resolve('tsx')).href, VICTIM, JSON.stringify({ url, keyPrefix: prefix, stream, group })],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    child = victim;
    let stderr = '';
    victim.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const report = await firstLine(victim, 20_000, () => stderr);
    expect(JSON.parse(report)).toEqual({ event: 'handling', entryId, deliveries: 1 });
    expect(await transport.stats(stream, group)).toMatchObject({ pending: 1, lag: 0 });

    victim.kill('SIGKILL');
    await once(victim, 'exit');
    expect(victim.signalCode).toBe('SIGKILL');

    const rescued: Delivery[] = [];
    transport.subscribe({
      stream,
      group,
      consumer: 'rescuer',
      schema: commentsSubmittedV1,
      claimIdleMs: 500,
      handler: async (d) => void rescued.push(d),
    });
    await waitFor(async () => rescued.length === 1 && (await transport!.stats(stream, group)).pending === 0, 15_000, 'the reclaim');
    expect(rescued[0]).toMatchObject({ entryId, deliveries: 2 });
    expect(rescued[0]!.envelope).toEqual(sent);
    expect(await transport.stats(stream, group)).toEqual({ length: 1, pending: 0, lag: 0, deadLetters: 0 });
  });
});

/** The child's first stdout line, or a failure carrying its stderr if it does not come in time. */
async function firstLine(proc: ChildProcess, timeoutMs: number, stderr: () => string): Promise<string> {
  const lines = createInterface({ input: proc.stdout! });
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      once(lines, 'line').then(([line]) => String(line)),
      once(proc, 'exit').then(([code]) => Promise.reject(new Error(`victim exited (${code}): ${stderr()}`))),
      new Promise<string>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`victim never reported: ${stderr()}`)), timeoutMs);
      }),
    ]);
  } finally {
    clearTimeout(timer);
    lines.close();
  }
}
