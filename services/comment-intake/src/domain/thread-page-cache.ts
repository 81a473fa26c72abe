import type { ThreadOpenness } from './thread-closed';

/**
 * Rendered thread pages, keyed by thread and query and stamped with the thread's version, kept as
 * the bytes of the answer. An entry is served only while the thread's version is unchanged, so a
 * stale page is never returned once the version moved.
 *
 * The version itself is memoised for `versionTtlMs` (≈ 1 s). This instance's own changes (the
 * `comments.status-changed` and `threads.changed` consumers, an author's delete) call invalidate()
 * after their commit, so here a change shows at once; a change applied by another instance shows
 * here when its live notice arrives (ADR 0014), or at the latest within `versionTtlMs`, when the
 * memo expires and the version is read again. Within the memo a repeat
 * read of a cached page costs no database round trip and no serialising.
 *
 * Concurrent look-ups of one thread's version, and concurrent builds of one page, share one
 * database call. A look-up that was in flight when its thread was invalidated still answers its
 * waiters (they asked before the change) but is not memoised.
 */
export interface CachedPage {
  version: string;
  etag: string;
  body: Buffer;
}

export interface ThreadState {
  version: string;
  total: number;
  /** Its moderated close and its age (for close-after-days); absent while intake has not seen the thread. */
  thread?: ThreadOpenness;
}

interface Lookup {
  promise: Promise<ThreadState>;
  stale: boolean;
}

export class ThreadPageCache {
  private readonly pages = new Map<string, CachedPage>();
  private readonly building = new Map<string, Promise<CachedPage>>();
  private readonly versions = new Map<string, { at: number; state: ThreadState }>();
  private readonly lookups = new Map<string, Lookup>();
  private pageBytes = 0;

  constructor(
    private readonly maxEntries = 5_000,
    private readonly versionTtlMs = 1_000,
    /** Rendered pages are dropped oldest first past this many bytes (default 64 MiB). */
    private readonly maxPageBytes = 64 * 1_048_576,
  ) {}

  getPage(key: string, version: string): CachedPage | undefined {
    const hit = this.pages.get(key);
    return hit && hit.version === version ? hit : undefined;
  }

  setPage(key: string, page: CachedPage): void {
    const replaced = this.pages.get(key);
    if (replaced) {
      this.pages.delete(key);
      this.pageBytes -= replaced.body.length;
    }
    while (this.pages.size > 0 && (this.pages.size >= this.maxEntries || this.pageBytes + page.body.length > this.maxPageBytes)) {
      const [oldestKey, oldest] = this.pages.entries().next().value as [string, CachedPage];
      this.pages.delete(oldestKey);
      this.pageBytes -= oldest.body.length;
    }
    this.pages.set(key, page);
    this.pageBytes += page.body.length;
  }

  /** The cached page of `key` at `version`, or the one build of it that runs for all callers. */
  page(key: string, version: string, build: () => Promise<CachedPage>): Promise<CachedPage> {
    const hit = this.getPage(key, version);
    if (hit) return Promise.resolve(hit);
    const buildKey = `${key}\u0000${version}`;
    let running = this.building.get(buildKey);
    if (!running) {
      running = build().then(
        (page) => {
          this.building.delete(buildKey);
          this.setPage(key, page);
          return page;
        },
        (err: unknown) => {
          this.building.delete(buildKey);
          throw err;
        },
      );
      this.building.set(buildKey, running);
    }
    return running;
  }

  getVersion(thread: string, now: number): ThreadState | undefined {
    const hit = this.versions.get(thread);
    return hit && now - hit.at < this.versionTtlMs ? hit.state : undefined;
  }

  setVersion(thread: string, now: number, state: ThreadState): void {
    if (this.versions.size >= this.maxEntries && !this.versions.has(thread)) this.versions.clear();
    this.versions.set(thread, { at: now, state });
  }

  /** The memoised state of `thread`, or the one look-up of it that runs for all callers. */
  version(thread: string, load: () => Promise<ThreadState>): Promise<ThreadState> {
    const known = this.getVersion(thread, Date.now());
    if (known) return Promise.resolve(known);
    const running = this.lookups.get(thread);
    if (running) return running.promise;
    const lookup: Lookup = { stale: false, promise: undefined as unknown as Promise<ThreadState> };
    this.lookups.set(thread, lookup); // before load() runs, so an invalidation meanwhile finds it
    lookup.promise = Promise.resolve()
      .then(load)
      .then(
        (state) => {
          if (this.lookups.get(thread) === lookup) this.lookups.delete(thread);
          if (!lookup.stale) this.setVersion(thread, Date.now(), state);
          return state;
        },
        (err: unknown) => {
          if (this.lookups.get(thread) === lookup) this.lookups.delete(thread);
          throw err;
        },
      );
    return lookup.promise;
  }

  /**
   * Like version() for many threads, with one load for those not memoised. A thread invalidated
   * while the load ran is answered but not memoised.
   */
  async versionsOf(threads: string[], load: (missing: string[]) => Promise<Map<string, ThreadState>>): Promise<Map<string, ThreadState>> {
    const now = Date.now();
    const out = new Map<string, ThreadState>();
    const missing: string[] = [];
    for (const t of threads) {
      const known = this.getVersion(t, now);
      if (known) out.set(t, known);
      else missing.push(t);
    }
    if (missing.length === 0) return out;
    const marks = new Map(missing.map((t) => [t, this.invalidations.get(t) ?? 0]));
    const epoch = this.clearedAt;
    const loaded = await load(missing);
    const at = Date.now();
    for (const t of missing) {
      const state = loaded.get(t) ?? { version: '0', total: 0 };
      out.set(t, state);
      if (epoch === this.clearedAt && (this.invalidations.get(t) ?? 0) === marks.get(t)) this.setVersion(t, at, state);
    }
    return out;
  }

  private readonly invalidations = new Map<string, number>();
  private clearedAt = 0;

  /** After a committed change: the next read looks the version up again. */
  invalidate(thread: string): void {
    this.versions.delete(thread);
    const running = this.lookups.get(thread);
    if (running) {
      running.stale = true;
      this.lookups.delete(thread);
    }
    if (this.invalidations.size >= this.maxEntries) {
      this.invalidations.clear();
      this.clearedAt += 1;
    }
    this.invalidations.set(thread, (this.invalidations.get(thread) ?? 0) + 1);
  }
}

export const threadKey = (site: string, thread: string): string => `${site}\u0000${thread}`;
