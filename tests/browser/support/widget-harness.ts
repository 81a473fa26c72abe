import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import request from 'supertest';
import type { Kysely } from 'kysely';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import {
  Streams,
  makeEnvelope,
  siteSettingsSchema,
  upsertSiteSnapshot,
  type CommentStatus,
  type CommentsStatusChangedV1,
  type ThreadsChangedV1,
  type TenancyReadTables,
} from '@parley/shared';
import { eventually, startTestInfra, startTestService, type RunningTestService, type TestInfraHandle } from '@parley/shared/testing';
import { commentIntake } from '@parley/comment-intake';
import { cookieConsent } from '@parley/cookie-consent';
import { buildWidget, widgetRoutes, type WidgetBuild } from '@parley/comment-intake/src/widget';

export const SITE = 'widget-news';

/** What an article page carries besides the widget. */
export interface ArticleOptions {
  site?: string;
  thread?: string;
  lang?: string;
  theme?: 'light' | 'dark';
  /** Page CSS that tries hard to restyle everything (the widget must not change). */
  aggressive?: boolean;
  /** The consent banner is on the page too. */
  banner?: boolean;
  /** So much article above the comments that they start far below the fold. */
  tall?: boolean;
  /** The page has a dark colour scheme of its own (for the demo screenshots). */
  demo?: boolean;
  /** The comments at a fixed, whole-pixel place (as the aggressive page puts them), for screenshots. */
  fixedStage?: boolean;
}

const AGGRESSIVE_CSS = `
html { font-size: 40px !important; }
body { color: #f0f !important; font-family: "Comic Sans MS", cursive !important; line-height: 3 !important;
  letter-spacing: 3px !important; text-transform: uppercase !important; direction: rtl; text-align: right !important; }
*, *::before, *::after { box-sizing: content-box !important; font-size: 1.2rem !important; font-weight: 100 !important; }
div, p, ol, ul, li, form, section, article, header, h1, h2, h3, label, input, textarea, select, button, a, time, span {
  margin: 20px !important; padding: 15px !important; border: 3px dashed lime !important; background: yellow !important;
  color: red !important; display: inline-block !important; width: auto !important; float: left !important; }
button { all: unset !important; transform: rotate(3deg) !important; }
a { text-decoration: line-through !important; }
[hidden] { display: block !important; }
.w, .c, .f, .m, .t, .a, .r, .l, .x, .b, .n, .pd, .hd, .er, .st, .sr, .hp, .sv, .ck, .mo { outline: 5px solid red !important; }
#parley-comments { background: black !important; padding: 60px !important; margin: 60px !important; border: 10px solid red !important; }
#stage { all: revert !important; display: flow-root !important; position: absolute !important; top: 1000px !important; left: 0 !important; width: 640px !important; margin: 0 !important; padding: 0 !important;
  border: 0 !important; float: none !important; background: none !important; }`;

const DEMO_CSS = `
body { margin: 0; font: 18px/1.6 Georgia, 'Times New Roman', serif; color: #1b1b1b; background: #fff; }
header.masthead { border-bottom: 3px double currentColor; padding: 1rem; text-align: center; }
header.masthead h1 { margin: 0; font-size: 2.2rem; letter-spacing: .04em; }
nav { font: 14px/1 system-ui, sans-serif; padding: .6rem; text-align: center; border-bottom: 1px solid #ddd; }
nav a { color: inherit; margin: 0 .8rem; text-decoration: none; }
main { max-width: 42rem; margin: 2rem auto; padding: 0 1rem; }
.kicker { font: 600 13px/1 system-ui, sans-serif; text-transform: uppercase; color: #a4161a; letter-spacing: .08em; }
h2.headline { font-size: 2.1rem; line-height: 1.2; margin: .4rem 0; }
.byline { font: 14px/1.4 system-ui, sans-serif; color: #555; }
@media (prefers-color-scheme: dark) {
  body { background: #161616; color: #e8e8e8; } nav { border-color: #333; } .byline { color: #b3b3b3; } .kicker { color: #ff8a80; }
}`;

function articleHtml(o: ArticleOptions, apiUrl: string, consentUrl: string | undefined): string {
  const attrs = [`data-site="${o.site ?? SITE}"`, `data-thread="${o.thread ?? 'peace-talks'}"`, 'data-title="Peace talks resume"'];
  if (o.lang) attrs.push(`data-lang="${o.lang}"`);
  if (o.theme) attrs.push(`data-theme="${o.theme}"`);
  const banner = o.banner && consentUrl ? `<script src="${consentUrl}/banner.js" data-site="${o.site ?? SITE}" async></script>` : '';
  const css = o.aggressive
    ? AGGRESSIVE_CSS
    : o.demo
      ? DEMO_CSS
      : `body{margin:0;padding:16px;font:16px/1.5 serif} #stage{width:640px}${o.fixedStage ? ' #stage{position:absolute;top:1000px;left:0}' : ''}`;
  const story = o.demo
    ? `<header class="masthead"><h1>The Parley Times</h1></header><nav><a href="#">World</a><a href="#">Politics</a><a href="#">Business</a><a href="#">Culture</a></nav>
<main><article><div class="kicker">World</div><h2 class="headline">Ceasefire talks resume in Geneva as envoys seek a lasting deal</h2>
<p class="byline">By A. Correspondent · Geneva</p><p>Negotiators returned to the table on Monday after a three-week pause, with mediators saying both
delegations had agreed to discuss a phased withdrawal and the exchange of detainees.</p>
<p>"Nobody expects a signature this week," one diplomat said, "but for the first time both sides are talking about the same document."</p></article>`
    : `<main><article><h1>Peace talks resume</h1><p>Story text.</p>${o.tall ? '<div id="spacer" style="height:5000px"></div>' : ''}<a id="before" href="#stage">Skip to comments</a></article>`;
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>Peace talks resume</title>
<style>${css}</style></head><body>
${story}
<div id="stage"><div id="parley-comments"></div></div></main>
<script src="${apiUrl}/embed.js" ${attrs.join(' ')} async></script>${banner}
</body></html>`;
}

export interface Posted {
  id: string;
  authorToken: string;
}

export interface WidgetHarness {
  infra: TestInfraHandle;
  intake: RunningTestService;
  consent?: RunningTestService;
  /** Where embed.js and the comment API are served (the intake service with the widget router). */
  apiUrl: string;
  /** The publisher's pages: another origin than the API, allowed by the site. */
  pageOrigin: string;
  build: WidgetBuild;
  browser: Browser;
  /** Creates or updates a site in intake's (and consent's) read model. */
  addSite(id: string, comments?: Record<string, unknown>, status?: 'active' | 'closed'): Promise<void>;
  /** Posts a comment as a page of the site would (returns id and author token). */
  post(thread: string, body: { name: string; text: string; parentId?: string; website?: string; email?: string }, site?: string): Promise<Posted>;
  /** What moderation would publish: the comment's status changes, and intake applies it. */
  setStatus(id: string, thread: string, from: CommentStatus, to: CommentStatus, site?: string): Promise<void>;
  /** What moderation publishes when a moderator closes (or reopens) a thread; waits until intake applied it. */
  setThreadClosed(thread: string, closed: boolean, site?: string): Promise<void>;
  /** Posts and approves, then waits until the thread's public page lists it. */
  seed(thread: string, body: { name: string; text: string; parentId?: string; website?: string }, site?: string): Promise<Posted>;
  articleUrl(o?: ArticleOptions): string;
  /** Cuts every open connection to the API (event streams included), as a restart or proxy would. */
  dropConnections(): void;
  open(o?: ArticleOptions, context?: BrowserContext): Promise<{ context: BrowserContext; page: Page }>;
  close(): Promise<void>;
}

export async function startWidgetHarness(opts: { consent?: boolean } = {}): Promise<WidgetHarness> {
  const infra = await startTestInfra();
  const intake = await startTestService(commentIntake, infra, { RATE_LIMIT_IP_PER_MINUTE: '0', RATE_LIMIT_EMAIL_PER_MINUTE: '0', RATE_LIMIT_SITE_PER_MINUTE: '0' });
  const consent = opts.consent ? await startTestService(cookieConsent, infra) : undefined;
  const build = await buildWidget();

  // Once the widget router is mounted in the service, the test uses the service itself; until
  // then, the same router in front of the service's own app, on a port of its own.
  let apiUrl = intake.url;
  let front: Server | undefined;
  const mounted = await request(intake.url).get('/embed.js');
  if (mounted.status !== 200) {
    const app = express();
    app.use(widgetRoutes(build));
    app.use(intake.service.app);
    front = createServer(app);
    await new Promise<void>((resolve) => front!.listen(0, '127.0.0.1', resolve));
    apiUrl = `http://127.0.0.1:${(front.address() as AddressInfo).port}`;
  }

  let current: ArticleOptions = {};
  const pages = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (url.pathname !== '/article') {
      res.writeHead(404).end();
      return;
    }
    const o = (JSON.parse(url.searchParams.get('o') ?? 'null') as ArticleOptions | null) ?? current;
    res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store' });
    res.end(articleHtml(o, apiUrl, consent?.url));
  });
  await new Promise<void>((resolve) => pages.listen(0, '127.0.0.1', resolve));
  // localhost vs 127.0.0.1: a cross-origin page, as on a real publisher's site.
  const pageOrigin = `http://localhost:${(pages.address() as AddressInfo).port}`;

  const db = infra.db.db as Kysely<TenancyReadTables>;
  const versions = new Map<string, number>();
  const addSite = async (id: string, comments: Record<string, unknown> = {}, status: 'active' | 'closed' = 'active') => {
    const version = (versions.get(id) ?? 0) + 1;
    versions.set(id, version);
    const site = {
      id,
      name: 'Widget News',
      allowedOrigins: [pageOrigin],
      settings: siteSettingsSchema.parse({ comments }),
      status,
      version,
      updatedAt: new Date().toISOString(),
    };
    await upsertSiteSnapshot(db, 'intake', site);
    if (consent) await upsertSiteSnapshot(db, 'consent', site);
  };
  await addSite(SITE, { pageSize: 3, maxDepth: 2, minSubmitSeconds: 0 });

  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });

  const post: WidgetHarness['post'] = async (thread, body, site = SITE) => {
    const res = await request(apiUrl)
      .post(`/v1/sites/${site}/threads/${thread}/comments`)
      .set('Origin', pageOrigin)
      .send({ email: null, ...body });
    if (res.status !== 202) throw new Error(`post failed: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body as Posted;
  };
  const listed = async (thread: string, id: string, site: string) => {
    const res = await request(apiUrl).get(`/v1/sites/${site}/threads/${thread}/comments?limit=200`);
    return JSON.stringify(res.body).includes(id);
  };
  const setStatus: WidgetHarness['setStatus'] = async (id, thread, from, to, site = SITE) => {
    const payload: CommentsStatusChangedV1['payload'] = {
      commentId: id,
      threadId: thread,
      from,
      to,
      reasons: [],
      actor: { kind: 'moderator', keyId: null },
      changedAt: new Date().toISOString(),
    };
    await infra.transport.publish(Streams.commentsStatusChanged, makeEnvelope(Streams.commentsStatusChanged, 1, site, payload));
  };
  const setThreadClosed: WidgetHarness['setThreadClosed'] = async (thread, closed, site = SITE) => {
    const payload: ThreadsChangedV1['payload'] = { threadId: thread, closedAt: closed ? new Date().toISOString() : null };
    await infra.transport.publish(Streams.threadsChanged, makeEnvelope(Streams.threadsChanged, 1, site, payload));
    await eventually(async () => (await request(apiUrl).get(`/v1/sites/${site}/threads/${thread}/form-token`)).body.closed === closed, 10_000);
  };
  const articleUrl = (o: ArticleOptions = {}) => `${pageOrigin}/article?o=${encodeURIComponent(JSON.stringify(o))}`;

  return {
    infra,
    intake,
    consent,
    apiUrl,
    pageOrigin,
    build,
    browser,
    addSite,
    post,
    setStatus,
    setThreadClosed,
    async seed(thread, body, site = SITE) {
      const posted = await post(thread, body, site);
      await setStatus(posted.id, thread, 'pending', 'approved', site);
      await eventually(() => listed(thread, posted.id, site), 10_000);
      return posted;
    },
    articleUrl,
    dropConnections() {
      (front ?? intake.server).closeAllConnections();
    },
    async open(o = {}, context?: BrowserContext) {
      current = o;
      const ctx = context ?? (await browser.newContext({ viewport: { width: 900, height: 900 } }));
      const page = await ctx.newPage();
      await page.goto(articleUrl(o));
      return { context: ctx, page };
    },
    async close() {
      await browser.close();
      pages.closeAllConnections();
      await new Promise<void>((resolve) => pages.close(() => resolve()));
      if (front) {
        front.closeAllConnections();
        await new Promise<void>((resolve) => front!.close(() => resolve()));
      }
      await consent?.stop();
      await intake.stop();
      await infra.close();
    },
  };
}

/** The widget's shadow root, as a locator root (Playwright pierces open shadow roots). */
export const widget = (page: Page) => page.locator('#parley-comments');

/** Resolves once the widget has rendered its thread. */
export async function widgetReady(page: Page): Promise<void> {
  await widget(page).locator('section h2').waitFor();
}

/** Focused element, looking through the widget's shadow root: `tag#name` or `tag:text`. */
export function focused(page: Page): Promise<string> {
  return page.evaluate(() => {
    const host = document.getElementById('parley-comments');
    const el = (document.activeElement === host ? host?.shadowRoot?.activeElement : document.activeElement) as HTMLElement | null;
    if (!el) return 'none';
    const name = el.getAttribute('name');
    return `${el.tagName.toLowerCase()}${name ? `#${name}` : `:${el.textContent?.trim() ?? ''}`}`;
  });
}

/**
 * Takes the thread's live stream down (the connection dropped, reconnects refused) until the
 * returned function lets it come back.
 */
export async function dropStream(h: Pick<WidgetHarness, 'dropConnections'>, page: Page, thread: string): Promise<() => Promise<void>> {
  const events = `**/threads/${thread}/events`;
  let attempts = 0;
  page.on('request', (r) => {
    if (r.url().endsWith(`/threads/${thread}/events`)) attempts++;
  });
  await page.route(events, (route) => route.abort('connectionrefused'));
  h.dropConnections();
  await eventually(async () => attempts >= 1, 15_000);
  return () => page.unroute(events);
}

/**
 * Polls `read` until it returns `expected` (deep equality) or the time is up, and returns the last
 * value read, for `expect(await settled(…)).toEqual(expected)` (Jest has no auto-waiting matchers).
 */
export async function settled<T>(read: () => Promise<T>, expected: T, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  const want = JSON.stringify(expected);
  for (;;) {
    let value: T;
    try {
      value = await read();
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, 50));
      continue;
    }
    if (JSON.stringify(value) === want || Date.now() > deadline) return value;
    await new Promise((r) => setTimeout(r, 50));
  }
}
