import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { SITE, settled, startWidgetHarness, widget, widgetReady, type ArticleOptions, type WidgetHarness } from './support/widget-harness';
import { decodePng, pixelDifference } from './support/png';

const XSS_SITE = 'widget-xss';
const fixture = (name: string) => readFileSync(join(__dirname, '../fixtures', name), 'utf8');
const texts = fixture('xss-comments.txt')
  .split(/^%%$/m)
  .slice(1)
  .map((t) => t.replace(/^\n|\n$/g, ''));
const names = fixture('xss-names.txt')
  .split('\n')
  .filter((l) => l && !l.startsWith('#'));

let h: WidgetHarness;

beforeAll(async () => {
  h = await startWidgetHarness({ consent: true });
  await h.addSite(XSS_SITE, { pageSize: 100, maxDepth: 3, minSubmitSeconds: 0 });
}, 120_000);

afterAll(async () => {
  await h?.close();
});

/** Opens a page that records dialogs and any script the corpus might have run; `beforeLoad` sets up the page first (routes). */
async function openWatched(o: ArticleOptions, beforeLoad?: (page: Page) => Promise<unknown>): Promise<{ context: BrowserContext; page: Page; dialogs: string[] }> {
  const context = await h.browser.newContext({ viewport: { width: 900, height: 900 } });
  const dialogs: string[] = [];
  const page = await context.newPage();
  page.on('dialog', (d) => {
    dialogs.push(d.message());
    void d.dismiss();
  });
  await beforeLoad?.(page);
  await page.goto(h.articleUrl(o));
  return { context, page, dialogs };
}

const whitespaceless = (s: string) => s.normalize('NFC').replace(/\s+/g, '');

describe('embed.js in Chromium: hostile comments, hostile pages, consent', () => {
  it('when comments and names carry markup and script, then they show as text: no script runs and no element is injected', async () => {
    expect(texts.length).toBeGreaterThanOrEqual(30);
    const seeded: { id: string; text: string; name: string }[] = [];
    for (const [i, text] of texts.entries()) {
      const name = names[i % names.length]!;
      const { id } = await h.post('xss', { name, text, website: i === 0 ? 'https://example.org/"><script>alert(100)</script>' : undefined }, XSS_SITE);
      await h.setStatus(id, 'xss', 'pending', 'approved', XSS_SITE);
      seeded.push({ id, text, name });
    }
    // One more arrives live, over server-sent events, while the page is open.
    const { context, page, dialogs } = await openWatched({ site: XSS_SITE, thread: 'xss' });
    try {
      await widgetReady(page);
      expect(await settled(() => widget(page).locator('ol.l > li.c').count(), texts.length)).toBe(texts.length);
      const late = await h.post('xss', { name: names[0]!, text: '<script>window.__pwned="live"</script><img src=x onerror=alert(200)>' }, XSS_SITE);
      await h.setStatus(late.id, 'xss', 'pending', 'approved', XSS_SITE);
      await widget(page).locator(`li[data-id="${late.id}"]`).waitFor();
      seeded.push({ id: late.id, text: '<script>window.__pwned="live"</script><img src=x onerror=alert(200)>', name: names[0]! });

      // Let anything that could fire (onerror, onload, autofocus, ontoggle) have its chance.
      await page.mouse.move(200, 200);
      await page.keyboard.press('Tab');
      await page.waitForLoadState('networkidle');

      const report = await page.evaluate(() => {
        const root = document.getElementById('parley-comments')!.shadowRoot!;
        const all = Array.from(root.querySelectorAll('*'));
        return {
          pwned: (window as unknown as { __pwned?: unknown }).__pwned ?? null,
          // Tags inside comment bodies: only what the widget itself makes.
          bodyTags: [...new Set(Array.from(root.querySelectorAll('.t *'), (e) => e.tagName))].sort(),
          handlers: all.flatMap((e) => Array.from(e.attributes).filter((a) => /^on/i.test(a.name)).map((a) => `${e.tagName}@${a.name}`)),
          dangerous: all.filter((e) => /^(SCRIPT|IFRAME|IMG|SVG|OBJECT|EMBED|STYLE|LINK|META|BASE|TEMPLATE|MATH|DETAILS|NOSCRIPT)$/.test(e.tagName)).map((e) => e.tagName),
          hrefs: Array.from(root.querySelectorAll('a'), (a) => a.getAttribute('href') ?? ''),
          rels: [...new Set(Array.from(root.querySelectorAll('.t a, a.n'), (a) => a.getAttribute('rel')))],
          lightDom: document.querySelectorAll('body *').length,
          buttonsOutside: document.querySelectorAll('button').length,
          comments: Array.from(root.querySelectorAll('li.c'), (li) => ({
            id: li.getAttribute('data-id'),
            text: li.querySelector(':scope > article > .t')!.textContent,
            name: li.querySelector(':scope > article .n')!.textContent,
          })),
        };
      });
      expect(dialogs).toEqual([]);
      expect(report.pwned).toBeNull();
      expect(report.bodyTags).toEqual(['A', 'BR', 'P']);
      expect(report.handlers).toEqual([]);
      expect(report.dangerous).toEqual([]);
      expect(report.hrefs.every((href) => /^https?:\/\//.test(href))).toBe(true);
      expect(report.rels).toEqual(['nofollow ugc noopener']);
      expect(report.buttonsOutside).toBe(0);
      // The page's own elements: article, its heading, paragraph and link, the stage, host, main, script.
      expect(report.lightDom).toBeLessThan(12);
      // Every comment is shown, literally, as its author wrote it.
      for (const s of seeded) {
        const shown = report.comments.find((c) => c.id === s.id);
        expect(shown?.name).toBe(s.name);
        expect(whitespaceless(shown?.text ?? '')).toBe(whitespaceless(s.text));
      }
    } finally {
      await context.close();
    }
  });

  it('when the page has aggressive global CSS, then the widget looks the same as on a plain page', async () => {
    await h.seed('styled', { name: 'Quinn', text: 'Styles should not leak in.\n\nSecond paragraph https://example.org/x.' });
    const parent = await h.seed('styled', { name: 'Ravi', text: 'Nor out.' });
    await h.seed('styled', { name: 'Sol', text: 'A nested reply.', parentId: parent.id });
    const shot = async (aggressive: boolean) => {
      const context = await h.browser.newContext({ viewport: { width: 900, height: 1200 } });
      // The same "now" on both pages, so relative times read the same.
      await context.clock.setFixedTime(new Date(Date.now() + 3 * 3600_000));
      const page = await context.newPage();
      try {
        await page.goto(h.articleUrl({ thread: 'styled', aggressive, fixedStage: true }));
        await widgetReady(page);
        const box = await widget(page).boundingBox();
        const png = await widget(page).screenshot({ animations: 'disabled', caret: 'hide' });
        const button = await widget(page)
          .getByRole('button', { name: 'Post comment' })
          .evaluate((b) => {
            const s = getComputedStyle(b);
            return [s.fontFamily, s.fontSize, s.color, s.backgroundColor, s.textTransform, s.letterSpacing].join('|');
          });
        return { png: decodePng(png), box, button, outsideRed: await page.evaluate(() => getComputedStyle(document.body).color) };
      } finally {
        await context.close();
      }
    };
    const plain = await shot(false);
    const hostile = await shot(true);
    expect(hostile.outsideRed).toBe('rgb(255, 0, 255)'); // the page's CSS is in force around the widget
    expect(hostile.button).toBe(plain.button);
    // Same size (to the sub-pixel) and, pixel for pixel, the same picture.
    expect(Math.abs(hostile.box!.width - plain.box!.width)).toBeLessThan(0.5);
    expect(Math.abs(hostile.box!.height - plain.box!.height)).toBeLessThan(0.5);
    const diff = pixelDifference(plain.png, hostile.png);
    expect(diff).toBeLessThan(0.01);
  });

  it('when the reader rejects functional cookies in the banner, then posting saves nothing in the browser', async () => {
    const { context, page } = await openWatched({ thread: 'consent-off', banner: true });
    try {
      await page.locator('#parley-consent').getByRole('button', { name: 'Reject all' }).click();
      await page.locator('#parley-consent').getByRole('button', { name: 'Reject all' }).waitFor({ state: 'detached' });
      await page.locator('#stage').scrollIntoViewIfNeeded();
      await widgetReady(page);
      const f = widget(page).locator('section > form');
      // No "save my name" offer without consent.
      expect(await settled(() => f.locator('.sv').isVisible(), false)).toBe(false);
      await f.locator('textarea[name=text]').fill('Private reader here.');
      await f.locator('input[name=name]').fill('Tess');
      await f.locator('input[name=email]').fill('tess@example.org');
      await f.getByRole('button', { name: 'Post comment' }).click();
      await widget(page).locator('li[data-pending]').waitFor();
      const stored = await page.evaluate(() => ({ local: { ...localStorage }, session: { ...sessionStorage } }));
      expect(stored).toEqual({ local: {}, session: {} });
      expect((await context.cookies()).map((c) => c.name)).toEqual(['parley_consent']);
      // The pending comment lived for this page view only.
      await page.reload();
      await page.locator('#stage').scrollIntoViewIfNeeded();
      await widgetReady(page);
      expect(await widget(page).locator('li[data-pending]').count()).toBe(0);
      expect(await widget(page).locator('input[name=name]').inputValue()).toBe('');
    } finally {
      await context.close();
    }
  });

  it('when the reader accepts functional cookies and ticks save, then name, email and the pending comment survive a reload', async () => {
    const { context, page } = await openWatched({ thread: 'consent-on', banner: true });
    try {
      await page.locator('#parley-consent').getByRole('button', { name: 'Accept all' }).click();
      await page.locator('#stage').scrollIntoViewIfNeeded();
      await widgetReady(page);
      const f = widget(page).locator('section > form');
      expect(await settled(() => f.locator('.sv').isVisible(), true)).toBe(true);
      await f.locator('textarea[name=text]').fill('Remember me.');
      await f.locator('input[name=name]').fill('Uma');
      await f.locator('input[name=email]').fill('uma@example.org');
      await f.getByLabel(/Save my name/).check();
      await f.getByRole('button', { name: 'Post comment' }).click();
      await widget(page).locator('li[data-pending]').waitFor();
      const saved = JSON.parse((await page.evaluate((k) => localStorage.getItem(k), `parley:${SITE}`))!);
      expect(saved).toMatchObject({ n: 'Uma', e: 'uma@example.org', m: [{ h: 'consent-on', n: 'Uma' }] });
      await page.reload();
      await page.locator('#stage').scrollIntoViewIfNeeded();
      await widgetReady(page);
      const pending = widget(page).locator('li[data-pending]');
      await pending.waitFor();
      expect(await pending.locator('.pd').textContent()).toBe('Your comment is awaiting moderation.');
      expect(await widget(page).locator('section > form input[name=name]').inputValue()).toBe('Uma');

      // Withdrawing consent erases what was kept.
      await page.evaluate(() => (window as any).Parley.consent.showPreferences());
      await page.locator('#parley-consent').getByRole('switch', { name: /functional/i }).uncheck();
      await page.locator('#parley-consent').getByRole('button', { name: /save/i }).click();
      expect(await settled(() => page.evaluate(() => localStorage.length), 0)).toBe(0);
    } finally {
      await context.close();
    }
  });

  it('when the reader accepts on the banner while the widget is still loading its thread, then the form offers to save the name', async () => {
    let release = () => undefined as void;
    const held = new Promise<void>((r) => (release = r));
    let asked = false;
    // The widget builds its form, then reads the thread: the choice lands in between.
    const { context, page } = await openWatched({ thread: 'consent-race', banner: true }, (p) =>
      p.route(
        (url) => url.pathname.endsWith('/threads/consent-race/comments'),
        async (route) => {
          if (route.request().method() !== 'GET') return route.fallback();
          asked = true;
          await held;
          return route.fallback();
        },
      ),
    );
    try {
      await page.locator('#stage').scrollIntoViewIfNeeded();
      expect(await settled(async () => asked, true)).toBe(true);
      await page.locator('#parley-consent').getByRole('button', { name: 'Accept all' }).click();
      release();
      await widgetReady(page);
      expect(await widget(page).locator('section > form .sv').isVisible()).toBe(true);
    } finally {
      release();
      await context.close();
    }
  });

  it('when there is no banner and the reader does not opt in, then posting saves nothing; opting in keeps the comment across reloads', async () => {
    const { context, page } = await openWatched({ thread: 'no-banner' });
    try {
      await widgetReady(page);
      const f = widget(page).locator('section > form');
      expect(await f.locator('.sv').isVisible()).toBe(true);
      expect(await f.getByLabel(/Save my name/).isChecked()).toBe(false);
      await f.locator('textarea[name=text]').fill('No traces, please.');
      await f.locator('input[name=name]').fill('Vik');
      await f.getByRole('button', { name: 'Post comment' }).click();
      await widget(page).locator('li[data-pending]').waitFor();
      expect(await page.evaluate(() => localStorage.length + sessionStorage.length)).toBe(0);
      expect(await context.cookies()).toEqual([]);

      await f.locator('textarea[name=text]').fill('Now keep it.');
      await f.getByLabel(/Save my name/).check();
      await f.getByRole('button', { name: 'Post comment' }).click();
      expect(await settled(() => widget(page).locator('li[data-pending]').count(), 2)).toBe(2);
      await page.reload();
      await widgetReady(page);
      expect(await settled(() => widget(page).locator('li[data-pending]').count(), 2)).toBe(2);
      expect(await context.cookies()).toEqual([]);
    } finally {
      await context.close();
    }
  });
});
