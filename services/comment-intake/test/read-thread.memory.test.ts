import type { Kysely } from 'kysely';
import { eventually } from '@parley/shared/testing';
import { silentLogger, type SiteRecord } from '@parley/shared';
import type { IntakeDb } from '../src/db/tables';
import type { IntakeContext } from '../src/domain/context';
import { createPrivacy } from '../src/domain/privacy';
import { countComments, threadPage } from '../src/domain/read-thread';
import { ThreadLiveHub } from '../src/domain/thread-live-hub';
import { ThreadPageCache, threadKey } from '../src/domain/thread-page-cache';
import { approvedComment, buildSite, seedSite, startIntake, type IntakeHarness } from './support/intake';

/**
 * The read path the fast routes call: a repeat read of an unchanged page is answered from memory
 * (no database round trip), this instance's changes show at once, another instance's within the
 * version memo. Queries are counted on the database handle the use case is given.
 */
let h: IntakeHarness;
const site = buildSite('daily') as unknown as SiteRecord;

beforeAll(async () => {
  h = await startIntake();
  await seedSite(h, buildSite('daily'));
});

afterAll(async () => {
  await h.stop();
});

function readerContext(versionTtlMs: number) {
  const counter = { queries: 0 };
  const db = (h.infra.db.db as Kysely<IntakeDb>).withPlugin({
    transformQuery: (args) => {
      counter.queries += 1;
      return args.node;
    },
    transformResult: async (args) => args.result,
  });
  const ctx: IntakeContext = {
    db,
    privacy: createPrivacy(Buffer.alloc(32, 1), Buffer.alloc(32, 2)),
    findSite: async () => site,
    formTokenTtlMs: 60_000,
    pages: new ThreadPageCache(5_000, versionTtlMs),
    live: new ThreadLiveHub(),
    threadChanged: () => undefined,
    afterCommit: () => undefined,
    now: () => new Date(),
    logger: silentLogger,
  };
  return { ctx, counter };
}

const input = (threadId: string) => ({ site, threadId, order: 'oldest' as const });

describe('thread pages served from memory', () => {
  it('when an unchanged page is read again, then it is answered with the same bytes and ETag and no database round trip', async () => {
    const c = await approvedComment(h, 'daily', 'mem-repeat', { text: 'kept in memory' });
    const { ctx, counter } = readerContext(60_000);
    const first = await threadPage(ctx, input('mem-repeat'));
    expect(JSON.parse(first.body.toString()).items.map((i: { id: string }) => i.id)).toEqual([c.id]);
    const before = counter.queries;
    const again = await Promise.all(Array.from({ length: 20 }, () => threadPage(ctx, input('mem-repeat'))));
    expect(counter.queries).toBe(before);
    for (const page of again) {
      expect(page.etag).toBe(first.etag);
      expect(page.body.equals(first.body)).toBe(true);
    }
  });

  it('when many readers ask for a page nobody has read yet, then it is built once for all of them', async () => {
    await approvedComment(h, 'daily', 'mem-cold');
    const { ctx, counter } = readerContext(60_000);
    const pages = await Promise.all(Array.from({ length: 30 }, () => threadPage(ctx, input('mem-cold'))));
    expect(new Set(pages.map((p) => p.etag)).size).toBe(1);
    // The version, the top-level comments and their replies: once, not thirty times.
    expect(counter.queries).toBe(3);
  });

  it('when this instance applies a change, then the next read shows it at once', async () => {
    await approvedComment(h, 'daily', 'mem-local', { text: 'first' });
    const { ctx } = readerContext(60_000);
    const before = await threadPage(ctx, input('mem-local'));
    const second = await approvedComment(h, 'daily', 'mem-local', { text: 'second' });
    ctx.pages.invalidate(threadKey('daily', 'mem-local')); // what the status-changed consumer does after its commit
    const after = await threadPage(ctx, input('mem-local'));
    expect(after.etag).not.toBe(before.etag);
    expect(after.body.toString()).toContain(second.id);
  });

  it('when another instance changes the thread, then this one shows it once the short version memo expires', async () => {
    await approvedComment(h, 'daily', 'mem-remote', { text: 'first' });
    const { ctx } = readerContext(200);
    const before = await threadPage(ctx, input('mem-remote'));
    const second = await approvedComment(h, 'daily', 'mem-remote', { text: 'second' }); // applied by the service, not by ctx
    const after = await eventually(async () => {
      const page = await threadPage(ctx, input('mem-remote'));
      return page.etag !== before.etag && page;
    });
    expect(after.body.toString()).toContain(second.id);
  });
});

describe('comment counts served from memory', () => {
  it('when the same counts are asked again, then they are answered without a database round trip, and a change shows after invalidation', async () => {
    await approvedComment(h, 'daily', 'count-a');
    const { ctx, counter } = readerContext(60_000);
    expect(await countComments(ctx, site, ['count-a', 'count-none'])).toEqual({ 'count-a': 1, 'count-none': 0 });
    const before = counter.queries;
    expect(await countComments(ctx, site, ['count-none', 'count-a'])).toEqual({ 'count-a': 1, 'count-none': 0 });
    expect(counter.queries).toBe(before);
    await approvedComment(h, 'daily', 'count-a');
    ctx.pages.invalidate(threadKey('daily', 'count-a'));
    expect(await countComments(ctx, site, ['count-a', 'count-none'])).toEqual({ 'count-a': 2, 'count-none': 0 });
    expect(counter.queries).toBe(before + 1);
  });

  it('when a thread changes while its count is being looked up, then the old count is not remembered', async () => {
    await approvedComment(h, 'daily', 'count-race');
    const { ctx } = readerContext(60_000);
    const key = threadKey('daily', 'count-race');
    // The look-up reads the old count; the change commits and invalidates before it returns.
    const racing = ctx.pages.versionsOf([key], async () => {
      const old = new Map([[key, { version: '1', total: 0 }]]);
      ctx.pages.invalidate(key);
      return old;
    });
    expect((await racing).get(key)?.total).toBe(0);
    expect(await countComments(ctx, site, ['count-race'])).toEqual({ 'count-race': 1 });
  });
});
