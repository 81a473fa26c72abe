import { inChunks } from '../../src/service/in-chunks';

describe('working through a backlog in chunks', () => {
  it('when the backlog is 2,500 items in chunks of 1,000, then three chunks run and 2,500 are counted', async () => {
    let left = 2_500;
    const sizes: number[] = [];
    const total = await inChunks(1_000, async () => {
      const n = Math.min(1_000, left);
      left -= n;
      sizes.push(n);
      return n;
    });
    expect({ total, sizes }).toEqual({ total: 2_500, sizes: [1_000, 1_000, 500] });
  });

  it('when a backlog ends exactly on a chunk, then one more (empty) chunk confirms it', async () => {
    let left = 2_000;
    const sizes: number[] = [];
    await inChunks(1_000, async () => {
      const n = Math.min(1_000, left);
      left -= n;
      sizes.push(n);
      return n;
    });
    expect(sizes).toEqual([1_000, 1_000, 0]);
  });

  it('when the signal aborts, then it stops after the chunk under way', async () => {
    const stop = new AbortController();
    let chunks = 0;
    const total = await inChunks(
      10,
      async () => {
        chunks += 1;
        if (chunks === 2) stop.abort();
        return 10;
      },
      stop.signal,
    );
    expect({ total, chunks }).toEqual({ total: 20, chunks: 2 });
  });
});
