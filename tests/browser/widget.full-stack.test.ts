/**
 * The whole path a reader and a moderator take, with nothing simulated: the widget served by
 * comment-intake on a publisher's page, the moderation pipeline holding the comment (pre-moderation),
 * a moderator approving it through moderation-queue's API, and a second open page showing it live.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { chromium, type Browser, type Page } from 'playwright-core';
import request from 'supertest';
import { commentIntake } from '@parley/comment-intake';
import { moderationQueue } from '@parley/moderation-queue';
import { eventually, startTestInfra, startTestService, type RunningTestService, type TestInfraHandle } from '@parley/shared/testing';

const BOOTSTRAP = 'pk_fullStackBoo_0123456789abcdefghijklmnopqrstuv';
const SITE = 'full-stack-news';

let infra: TestInfraHandle;
let moderation: RunningTestService;
let intake: RunningTestService;
let pages: Server;
let pageOrigin: string;
let browser: Browser;
let moderatorKey: string;

beforeAll(async () => {
  infra = await startTestInfra({ transport: 'redis' });
  moderation = await startTestService(moderationQueue, infra, { BOOTSTRAP_ADMIN_KEY: BOOTSTRAP });
  intake = await startTestService(commentIntake, infra);
  pages = createServer((_req, res) => {
    res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
    res.end(`<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Budget vote</title></head><body>
<article><h1>Budget vote delayed</h1><p>Story.</p></article><div id="parley-comments"></div>
<script src="${intake.url}/embed.js" data-site="${SITE}" data-thread="budget-vote" async></script></body></html>`);
  });
  await new Promise<void>((resolve) => pages.listen(0, '127.0.0.1', resolve));
  pageOrigin = `http://localhost:${(pages.address() as AddressInfo).port}`;

  const admin = { Authorization: `Bearer ${BOOTSTRAP}` };
  const created = await request(moderation.url)
    .post('/v1/admin/sites')
    .set(admin)
    .send({ id: SITE, name: 'Full Stack News', allowedOrigins: [pageOrigin], settings: { comments: { minSubmitSeconds: 0 }, moderation: { mode: 'pre' } } });
  expect(created.status).toBe(201);
  moderatorKey = (await request(moderation.url).post('/v1/admin/keys').set(admin).send({ role: 'moderator', sites: [SITE] })).body.secret;
  await eventually(async () => (await request(intake.url).get(`/v1/sites/${SITE}/settings`)).status === 200, 10_000);

  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
}, 60_000);

afterAll(async () => {
  await browser?.close();
  pages?.closeAllConnections();
  await new Promise<void>((resolve) => (pages ? pages.close(() => resolve()) : resolve()));
  await Promise.all([moderation?.stop(), intake?.stop()]);
  await infra?.close();
});

const widget = (page: Page) => page.locator('#parley-comments');

async function open(): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 900, height: 900 } });
  const page = await context.newPage();
  await page.goto(`${pageOrigin}/`);
  await widget(page).locator('section > form').waitFor();
  return page;
}

describe('a reader, the moderation pipeline and a moderator', () => {
  it('when a held comment is approved through the moderators API, then the author sees it published and a second open page shows it live', async () => {
    const author = await open();
    const reader = await open();
    const form = widget(author).locator('section > form');
    await form.locator('textarea[name=text]').fill('The committee should publish its costings before the vote.');
    await form.locator('input[name=name]').fill('Odile');
    await form.getByRole('button', { name: 'Post comment' }).click();
    const pending = widget(author).locator('li[data-pending]');
    await pending.waitFor();
    expect(await pending.locator('.pd').textContent()).toBe('Your comment is awaiting moderation.');
    const id = (await pending.getAttribute('data-id'))!;

    // The pipeline holds it (pre-moderation); the moderator finds it in the queue and approves it.
    const mod = { Authorization: `Bearer ${moderatorKey}` };
    const held = await eventually(async () => {
      const q = await request(moderation.url).get(`/v1/sites/${SITE}/queue?state=held`).set(mod);
      return q.body.items?.find((c: { id: string }) => c.id === id);
    }, 15_000);
    expect(held).toBeTruthy();
    const decided = await request(moderation.url).post(`/v1/sites/${SITE}/comments/${id}/decisions`).set(mod).send({ action: 'approve', expectedState: 'held' });
    expect(decided.status).toBe(200);

    // Live on the other reader's page, without a reload; published on the author's.
    await widget(reader).locator(`li[data-id="${id}"]`).waitFor({ timeout: 15_000 });
    expect(await widget(reader).locator(`li[data-id="${id}"]`).textContent()).toContain('publish its costings');
    await eventually(async () => (await widget(author).locator(`li[data-id="${id}"][data-pending]`).count()) === 0, 30_000);
    expect(await widget(author).locator(`li[data-id="${id}"]`).count()).toBe(1);
  });
});
