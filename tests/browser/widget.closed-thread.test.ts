import type { Page } from 'playwright-core';
import { eventually } from '@parley/shared/testing';
import { dropStream, startWidgetHarness, widget, widgetReady, type WidgetHarness } from './support/widget-harness';

let h: WidgetHarness;

beforeAll(async () => {
  h = await startWidgetHarness();
}, 120_000);

afterAll(async () => {
  await h?.close();
});

const closedText = (page: Page) => widget(page).locator('section > p');
const mainForm = (page: Page) => widget(page).locator('section > form');
const replyButtons = (page: Page) => widget(page).getByRole('button', { name: /^Reply/ });

describe('a thread a moderator closed', () => {
  it('when the thread is closed, then its comments still show but "Comments are closed." replaces the form and there is no reply button', async () => {
    await h.seed('closed-by-moderator', { name: 'Dina', text: 'Said before the close.' });
    await h.setThreadClosed('closed-by-moderator', true);
    const { context, page } = await h.open({ thread: 'closed-by-moderator' });
    try {
      await widgetReady(page);
      expect(await widget(page).locator('li.c').count()).toBe(1);
      expect(await closedText(page).textContent()).toBe('Comments are closed.');
      expect(await widget(page).locator('form').count()).toBe(0);
      expect(await replyButtons(page).count()).toBe(0);
    } finally {
      await context.close();
    }
  });

  it('when the thread is closed while the page is open, then "Comments are closed." replaces the form at once, and the form comes back when it is reopened', async () => {
    await h.seed('closing-now', { name: 'Eli', text: 'Still open when the page loaded.' });
    const { context, page } = await h.open({ thread: 'closing-now' });
    try {
      await widgetReady(page);
      expect(await mainForm(page).count()).toBe(1);
      expect(await replyButtons(page).count()).toBe(1);
      await h.setThreadClosed('closing-now', true);
      // No reload and no click: the thread's live stream says so.
      await closedText(page).waitFor();
      expect(await closedText(page).textContent()).toBe('Comments are closed.');
      expect(await mainForm(page).count()).toBe(0);
      expect(await replyButtons(page).count()).toBe(0);
      // Screen-reader users hear it too (the widget's polite live region).
      await eventually(async () => (await widget(page).locator('.sr[role=status]').textContent()) === 'Comments are closed.');

      await h.setThreadClosed('closing-now', false);
      await mainForm(page).waitFor();
      expect(await closedText(page).count()).toBe(0);
      expect(await replyButtons(page).count()).toBe(1);
    } finally {
      await context.close();
    }
  });

  it('when the thread is closed while the page is open and its live stream is down, then starting to write shows "Comments are closed." instead of the form', async () => {
    await h.seed('closing-offline', { name: 'Gus', text: 'Open when the page loaded.' });
    const { context, page } = await h.open({ thread: 'closing-offline' });
    try {
      await widgetReady(page);
      await dropStream(h, page, 'closing-offline'); // and it does not come back
      await h.setThreadClosed('closing-offline', true);
      await mainForm(page).locator('textarea[name=text]').focus(); // asks for a form token, which says closed
      await closedText(page).waitFor();
      expect(await mainForm(page).count()).toBe(0);
    } finally {
      await context.close();
    }
  });

  it('when the thread is reopened, then a page shows the form and reply buttons again', async () => {
    await h.seed('reopened', { name: 'Fay', text: 'Before the close and the reopen.' });
    await h.setThreadClosed('reopened', true);
    await h.setThreadClosed('reopened', false);
    const { context, page } = await h.open({ thread: 'reopened' });
    try {
      await widgetReady(page);
      await mainForm(page).waitFor();
      expect(await closedText(page).count()).toBe(0);
      expect(await replyButtons(page).count()).toBe(1);
    } finally {
      await context.close();
    }
  });
});
