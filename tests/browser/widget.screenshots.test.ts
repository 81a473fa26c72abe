import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startWidgetHarness, widget, widgetReady, type WidgetHarness } from './support/widget-harness';
import { decodePng } from './support/png';

/**
 * Saves the demo-like article page with the widget, light and dark, for the README:
 * docs/screenshots/widget-light.png and widget-dark.png when UPDATE_SCREENSHOTS=1; otherwise to
 * tests/.artifacts/ (ignored by git), so a plain test run leaves the work tree as it was.
 */
const OUT = join(__dirname, process.env.UPDATE_SCREENSHOTS === '1' ? '../../docs/screenshots' : '../.artifacts');
let h: WidgetHarness;

beforeAll(async () => {
  h = await startWidgetHarness();
  const first = await h.seed('demo', {
    name: 'Amira K.',
    text: 'Good to see both delegations back in Geneva. The detainee exchange is the part to watch: it has unblocked talks before.',
  });
  await h.seed('demo', { name: 'Tomasz', text: 'Agreed. The 2016 round stalled on exactly that point — see https://example.org/geneva-2016.', parentId: first.id });
  await h.seed('demo', { name: 'Amira K.', text: 'Yes, and the mediators seem to have learned from it.', parentId: first.id });
  await h.seed('demo', { name: 'Lucía', text: 'Two more crossings before winter would save lives whatever happens at the table.', website: 'https://lucia.example.org' });
}, 120_000);

afterAll(async () => {
  await h?.close();
});

describe('embed.js screenshots for the docs', () => {
  it.each(['light', 'dark'] as const)('when the demo article is shown in the %s colour scheme, then a screenshot of it is saved', async (scheme) => {
    const context = await h.browser.newContext({ viewport: { width: 1000, height: 1400 }, colorScheme: scheme, deviceScaleFactor: 1 });
    await context.clock.setFixedTime(new Date(Date.now() + 2 * 3600_000));
    const page = await context.newPage();
    try {
      await page.goto(h.articleUrl({ demo: true, thread: 'demo' }));
      await widgetReady(page);
      await widget(page).locator('li.c').nth(3).waitFor();
      const png = await page.screenshot({ fullPage: true, animations: 'disabled', caret: 'hide' });
      mkdirSync(OUT, { recursive: true });
      writeFileSync(join(OUT, `widget-${scheme}.png`), png);
      const image = decodePng(png);
      expect(image.width).toBe(1000);
      // The widget follows the reader's colour scheme when the page does not set data-theme.
      const dark = await widget(page).locator('.w').evaluate((el) => el.classList.contains('dk'));
      expect(dark).toBe(scheme === 'dark');
    } finally {
      await context.close();
    }
  });
});
