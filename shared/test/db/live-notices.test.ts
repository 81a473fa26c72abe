import { LiveNoticeSender, splitNotices } from '../../src/db/live-notices';
import type { LiveChannel } from '../../src/db/live-channel';
import { silentLogger } from '../../src/logger';

/** A channel whose publishes wait until the test lets them through, recording what was sent. */
function gatedChannel() {
  const sent: { changes: number[] }[] = [];
  let release: () => void = () => undefined;
  let gate = new Promise<void>((r) => (release = r));
  const channel: LiveChannel = {
    name: 'test_live',
    publish: async (payload) => {
      sent.push(payload as { changes: number[] });
      await gate;
    },
    subscribe: () => () => undefined,
    start: async () => undefined,
    close: async () => undefined,
  };
  return {
    channel,
    sent,
    open() {
      release();
      gate = Promise.resolve();
    },
  };
}

const turn = () => new Promise((r) => setImmediate(r));

describe('live notices', () => {
  it('when changes arrive while a notice is on its way, then they wait and go out together in one notice after it', async () => {
    const { channel, sent, open } = gatedChannel();
    const sender = new LiveNoticeSender<number, { changes: number[] }>(channel, (changes) => ({ changes }), silentLogger, 'nothing');
    sender.send([1]);
    await turn();
    sender.send([2]);
    await turn();
    sender.send([3, 4]);
    await turn();
    expect(sent).toEqual([{ changes: [1] }]);

    open();
    await sender.drain();
    expect(sent).toEqual([{ changes: [1] }, { changes: [2, 3, 4] }]);
  });

  it('when changes are more than one notice can hold, then they are split in order under the limit', () => {
    const notices = splitNotices(
      Array.from({ length: 50 }, (_, i) => i),
      (changes) => ({ changes }),
      60,
    );
    expect(notices.flatMap((n) => n.changes)).toEqual(Array.from({ length: 50 }, (_, i) => i));
    for (const n of notices) expect(Buffer.byteLength(JSON.stringify(n))).toBeLessThanOrEqual(60);
  });
});
