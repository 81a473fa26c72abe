/**
 * Rendered thread pages, keyed by thread and query and stamped with the thread's version. An entry
 * is served only while the thread's version is unchanged, so a stale page is never returned once
 * the version moved; the version itself is memoised for `versionTtlMs`, which bounds how long an
 * instance that did not consume a change keeps serving the old page.
 */
export interface CachedPage {
  version: string;
  etag: string;
  body: string;
}

export class ThreadPageCache {
  private readonly pages = new Map<string, CachedPage>();
  private readonly versions = new Map<string, { at: number; version: string; total: number }>();

  constructor(
    private readonly maxEntries = 5_000,
    private readonly versionTtlMs = 1_000,
  ) {}

  getPage(key: string, version: string): CachedPage | undefined {
    const hit = this.pages.get(key);
    return hit && hit.version === version ? hit : undefined;
  }

  setPage(key: string, page: CachedPage): void {
    if (this.pages.size >= this.maxEntries) {
      const oldest = this.pages.keys().next().value;
      if (oldest !== undefined) this.pages.delete(oldest);
    }
    this.pages.set(key, page);
  }

  getVersion(thread: string, now: number): { version: string; total: number } | undefined {
    const hit = this.versions.get(thread);
    return hit && now - hit.at < this.versionTtlMs ? hit : undefined;
  }

  setVersion(thread: string, now: number, version: string, total: number): void {
    if (this.versions.size >= this.maxEntries) this.versions.clear();
    this.versions.set(thread, { at: now, version, total });
  }

  /** After a committed change: the next read looks the version up again. */
  invalidate(thread: string): void {
    this.versions.delete(thread);
  }
}

export const threadKey = (site: string, thread: string): string => `${site}\u0000${thread}`;
