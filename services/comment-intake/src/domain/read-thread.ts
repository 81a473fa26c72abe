import { createHash } from 'node:crypto';
import { ValidationError, type PublicComment, type SiteRecord, type ThreadPage } from '@parley/shared';
import { renderCommentHtml } from '../render/comment-html';
import { findParentLinks, listApprovedReplies, listApprovedRoots, type PublicCommentRow } from '../repositories/comment.repository';
import { findThreadById, findThreadVersions } from '../repositories/thread.repository';
import type { IntakeContext } from './context';
import { isThreadClosed } from './thread-closed';
import { threadKey, type CachedPage, type ThreadState } from './thread-page-cache';

export interface ReadThreadInput {
  site: SiteRecord;
  threadId: string;
  order: 'oldest' | 'newest';
  cursor?: string;
  limit?: number;
}

export interface ThreadPageResult {
  /** Strong ETag of this page at the thread's current version. */
  etag: string;
  /** The page as JSON bytes, rendered once and served from memory until the thread changes. */
  body: Buffer;
}

/**
 * The thread's current version and approved total: memoised for about a second, invalidated at
 * once by this instance's own changes (see ThreadPageCache); concurrent look-ups share one query.
 */
function threadState(ctx: IntakeContext, site: string, thread: string): Promise<ThreadState> {
  return ctx.pages.version(threadKey(site, thread), async () => {
    const row = await findThreadById(ctx.db, site, thread);
    if (!row) return { version: '0', total: 0 };
    return { version: String(row.version), total: row.approved_count, thread: { closedAt: row.closed_at, createdAt: row.created_at } };
  });
}

/**
 * Whether the thread takes no new comments now (closed by a moderator or past the site's
 * close-after-days), from the same memoised state as its pages: what the form token tells the widget.
 */
export async function isThreadClosedNow(ctx: IntakeContext, site: SiteRecord, threadId: string): Promise<boolean> {
  const state = await threadState(ctx, site.id, threadId);
  return isThreadClosed(state.thread, site.settings.comments.closeAfterDays, ctx.now());
}

/**
 * One page of a thread, ready to send: the ETag (compare it with If-None-Match for a 304) and the
 * JSON bytes. A repeat read of an unchanged page is answered from memory, with no database round
 * trip and no serialising; other instances' changes show when their live notice arrives, at the
 * latest within the version memo (≈ 1 s).
 */
export async function threadPage(ctx: IntakeContext, input: ReadThreadInput): Promise<ThreadPageResult> {
  const { site, threadId } = input;
  const limit = Math.min(input.limit ?? site.settings.comments.pageSize, 200);
  const after = input.cursor ? decodeCursor(input.cursor) : undefined;
  const state = await threadState(ctx, site.id, threadId);
  const { version, total } = state;
  // Closing by age changes no version: the flag is part of the page's key and ETag.
  const closed = isThreadClosed(state.thread, site.settings.comments.closeAfterDays, ctx.now());
  const cacheKey = `${threadKey(site.id, threadId)}\u0000${site.version}\u0000${input.order}\u0000${input.cursor ?? ''}\u0000${input.limit ?? ''}\u0000${closed ? 'c' : ''}`;
  return ctx.pages.page(cacheKey, version, () => buildPage(ctx, input, limit, after, { version, total, closed }));
}

/** The ETag alone (builds and caches the page when it is not cached yet). Prefer threadPage. */
export async function threadPageEtag(ctx: IntakeContext, input: ReadThreadInput): Promise<string> {
  return (await threadPage(ctx, input)).etag;
}

/** The page with its body as text. Prefer threadPage, which hands out the cached bytes. */
export async function readThreadPage(ctx: IntakeContext, input: ReadThreadInput): Promise<{ etag: string; body: string }> {
  const page = await threadPage(ctx, input);
  return { etag: page.etag, body: page.body.toString('utf8') };
}

async function buildPage(
  ctx: IntakeContext,
  input: ReadThreadInput,
  limit: number,
  after: { createdAt: Date; id: string } | undefined,
  { version, total, closed }: { version: string; total: number; closed: boolean },
): Promise<CachedPage> {
  const { site, threadId, order } = input;
  const roots = await listApprovedRoots(ctx.db, { siteId: site.id, threadId, order, after, limit: limit + 1 });
  const more = roots.length > limit;
  const pageRoots = more ? roots.slice(0, limit) : roots;
  const replies = await listApprovedReplies(ctx.db, pageRoots.map((r) => r.id));
  const items = await buildTree(ctx, pageRoots, replies, site.settings.comments.maxDepth);
  const last = pageRoots.at(-1);
  const page: ThreadPage = {
    site: site.id,
    thread: threadId,
    order,
    total,
    items,
    nextCursor: more && last ? encodeCursor(last) : null,
    closed,
  };
  return { version, etag: etagOf(input, version, closed), body: Buffer.from(JSON.stringify(page)) };
}

/**
 * Approved totals of many threads (article lists): memoised like the thread versions, so a repeat
 * request for the same threads within the memo costs no database round trip; one query for the rest.
 */
export async function countComments(ctx: IntakeContext, site: SiteRecord, threads: string[]): Promise<Record<string, number>> {
  const keys = threads.map((t) => threadKey(site.id, t));
  const states = await ctx.pages.versionsOf(keys, async (missing) => {
    const ids = missing.map((k) => k.slice(site.id.length + 1));
    const found = await findThreadVersions(ctx.db, site.id, ids);
    return new Map([...found].map(([id, v]) => [threadKey(site.id, id), { version: v.version, total: v.approved, thread: { closedAt: v.closedAt, createdAt: v.createdAt } }]));
  });
  const out: Record<string, number> = {};
  for (let i = 0; i < threads.length; i++) out[threads[i]!] = states.get(keys[i]!)?.total ?? 0;
  return out;
}

export function toPublicComment(row: PublicCommentRow): PublicComment {
  return {
    id: row.id,
    parentId: row.parent_id,
    author: { name: row.author_name, website: row.author_website },
    text: row.text,
    html: renderCommentHtml(row.text),
    createdAt: row.created_at.toISOString(),
    replies: [],
  };
}

interface Node {
  view: PublicComment;
  level: number;
  parent: Node | null;
}

/**
 * Nests replies under their parents down to `maxDepth`; a deeper reply joins the deepest allowed
 * level (beside its parent). A reply whose parent is not public hangs under the nearest public
 * ancestor. With maxDepth 0 replies follow their top-level comment, flat.
 */
async function buildTree(ctx: IntakeContext, roots: PublicCommentRow[], replies: PublicCommentRow[], maxDepth: number): Promise<PublicComment[]> {
  const nodes = new Map<string, Node>();
  const flat = new Map<string, PublicComment[]>();
  for (const r of roots) nodes.set(r.id, { view: toPublicComment(r), level: 0, parent: null });
  const parentOf = new Map<string, string | null>(replies.map((r) => [r.id, r.parent_id]));
  // Parents that are not public: learn their own parents until every chain reaches a known node.
  const publicIds = new Set([...roots.map((r) => r.id), ...replies.map((r) => r.id)]);
  let missing = [...new Set(replies.map((r) => r.parent_id).filter((p): p is string => !!p && !publicIds.has(p)))];
  for (let hop = 0; missing.length > 0 && hop < 32; hop++) {
    const links = await findParentLinks(ctx.db, missing);
    for (const [id, parent] of links) parentOf.set(id, parent);
    missing = [...links.values()].filter((p): p is string => !!p && !parentOf.has(p) && !publicIds.has(p));
  }
  for (const r of replies) {
    let anchorId = r.parent_id;
    let anchor: Node | undefined;
    for (let hop = 0; anchorId && hop < 64; hop++) {
      anchor = nodes.get(anchorId);
      if (anchor) break;
      anchorId = parentOf.get(anchorId) ?? null;
    }
    const root = nodes.get(r.root_id);
    if (!anchor || !root) continue; // unreachable: root_id is in the page by construction
    const view = toPublicComment(r);
    if (maxDepth === 0) {
      const list = flat.get(r.root_id) ?? [];
      list.push(view);
      flat.set(r.root_id, list);
      nodes.set(r.id, { view, level: 0, parent: null });
      continue;
    }
    const host = anchor.level < maxDepth ? anchor : (anchor.parent ?? anchor);
    host.view.replies.push(view);
    nodes.set(r.id, { view, level: host.level + 1, parent: host });
  }
  return roots.flatMap((r) => [nodes.get(r.id)!.view, ...(flat.get(r.id) ?? [])]);
}

function etagOf(input: ReadThreadInput, version: string, closed: boolean): string {
  const q = createHash('sha1').update(`${input.order}|${input.cursor ?? ''}|${input.limit ?? ''}|${input.site.version}`).digest('base64url').slice(0, 10);
  return `"t${version}-${q}${closed ? '-c' : ''}"`;
}

function encodeCursor(row: PublicCommentRow): string {
  return Buffer.from(`${row.created_at.toISOString()}|${row.id}`).toString('base64url');
}

function decodeCursor(cursor: string): { createdAt: Date; id: string } {
  const [at, id] = Buffer.from(cursor, 'base64url').toString('utf8').split('|');
  const createdAt = new Date(at ?? '');
  if (!id || !/^[0-9a-f-]{36}$/.test(id) || Number.isNaN(createdAt.getTime())) {
    throw new ValidationError([{ path: 'query.cursor', message: 'is not a cursor this API gave out' }], 400);
  }
  return { createdAt, id };
}
