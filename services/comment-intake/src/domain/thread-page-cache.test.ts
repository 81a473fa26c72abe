import { ThreadPageCache, type CachedPage } from './thread-page-cache';

const page = (version: string, bytes: number): CachedPage => ({ version, etag: `"t${version}"`, body: Buffer.alloc(bytes, 'x') });

describe('thread page cache', () => {
  it('when the thread version moved on, then the page of the old version is not served', () => {
    const cache = new ThreadPageCache();
    cache.setPage('a', page('1', 10));
    expect(cache.getPage('a', '1')?.etag).toBe('"t1"');
    expect(cache.getPage('a', '2')).toBeUndefined();
  });

  it('when pages outgrow the memory budget, then the oldest are dropped and the newest stay', () => {
    const cache = new ThreadPageCache(5_000, 1_000, 250);
    for (const key of ['a', 'b', 'c']) cache.setPage(key, page('1', 100));
    expect(cache.getPage('a', '1')).toBeUndefined();
    expect(cache.getPage('b', '1')).toBeDefined();
    expect(cache.getPage('c', '1')).toBeDefined();
  });

  it('when a thread is invalidated during its version look-up, then that look-up answers but is not remembered', async () => {
    const cache = new ThreadPageCache();
    let loads = 0;
    const first = cache.version('t', async () => {
      loads += 1;
      cache.invalidate('t');
      return { version: '1', total: 0 };
    });
    expect((await first).version).toBe('1');
    const second = await cache.version('t', async () => {
      loads += 1;
      return { version: '2', total: 1 };
    });
    expect(second.version).toBe('2');
    expect(loads).toBe(2);
  });

  it('when many callers ask for the same page at once, then it is built once', async () => {
    const cache = new ThreadPageCache();
    let builds = 0;
    const build = async () => {
      builds += 1;
      return page('3', 10);
    };
    const all = await Promise.all(Array.from({ length: 10 }, () => cache.page('p', '3', build)));
    expect(builds).toBe(1);
    expect(new Set(all.map((p) => p.etag))).toEqual(new Set(['"t3"']));
  });
});
