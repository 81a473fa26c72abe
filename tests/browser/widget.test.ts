import { sql } from 'kysely';
import request from 'supertest';
import type { Page, Request } from 'playwright-core';
import { eventually } from '@parley/shared/testing';
import { downloadedJson } from './support/download';
import { SITE, dropStream, focused, settled, startWidgetHarness, widget, widgetReady, type WidgetHarness } from './support/widget-harness';

let h: WidgetHarness;
const ids = { a: '', b: '', a1: '', a11: '', c: '', d: '' };

beforeAll(async () => {
  h = await startWidgetHarness();
  // A thread of four top-level comments (one page holds three) with nested replies.
  ids.a = (await h.seed('seeded', { name: 'Ada', text: 'First!\n\nA second paragraph with https://example.org/a link.', website: 'https://ada.example.org' })).id;
  ids.b = (await h.seed('seeded', { name: 'Ben', text: 'Second top-level comment.' })).id;
  ids.a1 = (await h.seed('seeded', { name: 'Cleo', text: 'A reply to Ada.', parentId: ids.a })).id;
  ids.a11 = (await h.seed('seeded', { name: 'Dev', text: 'A reply to Cleo.', parentId: ids.a1 })).id;
  ids.c = (await h.seed('seeded', { name: 'Eve', text: 'Third top-level comment.' })).id;
  ids.d = (await h.seed('seeded', { name: 'Finn', text: 'Fourth top-level comment.' })).id;
}, 120_000);

afterAll(async () => {
  await h?.close();
});

const comment = (page: Page, id: string) => widget(page).locator(`li[data-id="${id}"]`);

const form = (page: Page) => widget(page).locator('section > form');

async function fillForm(page: Page, f: ReturnType<typeof form>, v: { text: string; name: string; email?: string; website?: string }) {
  await f.locator('textarea[name=text]').fill(v.text);
  await f.locator('input[name=name]').fill(v.name);
  if (v.email !== undefined) await f.locator('input[name=email]').fill(v.email);
  if (v.website !== undefined) await f.locator('input[name=website]').fill(v.website);
}

/** Posts through the page's main form; returns the id of the reader's own pending copy once it shows. */
async function postPending(page: Page, v: Parameters<typeof fillForm>[2]): Promise<string> {
  await fillForm(page, form(page), v);
  await form(page).getByRole('button', { name: 'Post comment' }).click();
  const pending = widget(page).locator('li[data-pending]');
  await pending.waitFor();
  return (await pending.getAttribute('data-id'))!;
}

async function commentRow(id: string) {
  const { rows } = await sql<{ status: string; parent_id: string | null; author_name: string; form_token: string }>`
    select status, parent_id, author_name, signals->>'formToken' as form_token from intake.comments where id = ${id}`.execute(h.infra.db.db);
  return rows[0];
}

describe('embed.js in Chromium: reading', () => {
  it('when a reader opens an article with a seeded thread, then comments, nested replies, times, links and the count render', async () => {
    const { context, page } = await h.open({ thread: 'seeded' });
    try {
      await widgetReady(page);
      expect(await settled(() => widget(page).locator('section h2').textContent(), '6 comments')).toBe('6 comments');
      // Three top-level comments on the first page, oldest first, replies nested under their parents.
      expect(await settled(() => widget(page).locator('ol.l > li.c').evaluateAll((els) => els.map((e) => e.getAttribute('data-name'))), ['Ada', 'Ben', 'Eve'])).toEqual(['Ada', 'Ben', 'Eve']);
      expect(await settled(() => comment(page, ids.a).locator(':scope > ol > li.c').getAttribute('data-id'), ids.a1)).toBe(ids.a1);
      expect(await settled(() => comment(page, ids.a1).locator(':scope > ol > li.c').getAttribute('data-id'), ids.a11)).toBe(ids.a11);
      // Two paragraphs, the bare URL a nofollow link, the author's name a link to their website.
      const a = comment(page, ids.a).locator(':scope > article');
      expect(await settled(() => a.locator('.t p').count(), 2)).toBe(2);
      expect(await settled(() => a.locator('.t a').getAttribute('rel'), 'nofollow ugc noopener')).toBe('nofollow ugc noopener');
      expect(await settled(() => a.locator('.t a').getAttribute('href'), 'https://example.org/a')).toBe('https://example.org/a');
      expect(await settled(() => a.locator('.m a.n').getAttribute('href'), 'https://ada.example.org/')).toBe('https://ada.example.org/');
      // Relative time, machine-readable and absolute on hover.
      const time = a.locator('time');
      await expect(time.textContent()).resolves.toMatch(/now|second|minute/);
      expect(Date.parse((await time.getAttribute('datetime'))!)).not.toBeNaN();
      expect(await time.getAttribute('title')).toMatch(/\d{4}/);
    } finally {
      await context.close();
    }
  });

  it('when the reader loads more and then sorts newest first, then the next keyset page and the reversed order show', async () => {
    const { context, page } = await h.open({ thread: 'seeded' });
    try {
      await widgetReady(page);
      const tops = () => widget(page).locator('ol.l > li.c').evaluateAll((els) => els.map((e) => e.getAttribute('data-name')));
      await widget(page).getByRole('button', { name: 'Load more comments' }).click();
      await eventually(async () => (await tops()).length === 4);
      expect(await tops()).toEqual(['Ada', 'Ben', 'Eve', 'Finn']);
      expect(await settled(() => widget(page).getByRole('button', { name: 'Load more comments' }).isVisible(), false)).toBe(false);
      await widget(page).getByLabel('Sort').selectOption('newest');
      await eventually(async () => (await tops())[0] === 'Finn');
      expect(await tops()).toEqual(['Finn', 'Eve', 'Ben']);
    } finally {
      await context.close();
    }
  });

  it('when the page asks for French and a dark theme, then the widget speaks French in dark colours', async () => {
    const { context, page } = await h.open({ thread: 'seeded', lang: 'fr', theme: 'dark' });
    try {
      await widgetReady(page);
      expect(await settled(() => widget(page).locator('section h2').textContent(), '6 commentaires')).toBe('6 commentaires');
      expect(await settled(() => widget(page).getByRole('button', { name: 'Publier le commentaire' }).isVisible(), true)).toBe(true);
      const bg = await widget(page).locator('.w').evaluate((el) => getComputedStyle(el).backgroundColor);
      expect(bg).toBe('rgb(22, 22, 22)');
    } finally {
      await context.close();
    }
  });

  it('when the comments start far below the fold, then nothing is fetched until the reader scrolls near them', async () => {
    const context = await h.browser.newContext({ viewport: { width: 900, height: 700 } });
    const page = await context.newPage();
    const calls: string[] = [];
    page.on('request', (r: Request) => {
      if (r.url().includes('/v1/')) calls.push(r.url());
    });
    try {
      await page.goto(h.articleUrl({ thread: 'seeded', tall: true }), { waitUntil: 'load' });
      // The script has run (it attached its shadow root) but asked the API nothing yet.
      await eventually(() => page.evaluate(() => !!document.getElementById('parley-comments')?.shadowRoot));
      await page.waitForLoadState('networkidle');
      expect(calls).toEqual([]);
      await page.locator('#stage').scrollIntoViewIfNeeded();
      await widgetReady(page);
      expect(calls.some((u) => u.includes('/threads/seeded/comments'))).toBe(true);
    } finally {
      await context.close();
    }
  });
});

describe('embed.js in Chromium: live updates, page hygiene, accessibility', () => {
  it('when a reply arrives live above where the reader is reading, then what they read does not move', async () => {
    const first = await h.seed('scrolling', { name: 'Wren', text: 'A long first comment.\n\n' + 'Lorem ipsum dolor sit amet. '.repeat(40) });
    await h.seed('scrolling', { name: 'Xan', text: 'Second.' });
    const third = await h.seed('scrolling', { name: 'Yara', text: 'Third, the one being read.' });
    const context = await h.browser.newContext({ viewport: { width: 900, height: 400 } });
    const page = await context.newPage();
    try {
      await page.goto(h.articleUrl({ thread: 'scrolling' }));
      await widgetReady(page);
      const reading = comment(page, third.id).locator(':scope > article');
      await reading.evaluate((el) => el.scrollIntoView({ block: 'start' }));
      const before = await reading.evaluate((el) => ({ top: el.getBoundingClientRect().top, y: scrollY }));
      const reply = await h.seed('scrolling', { name: 'Zed', text: 'A reply that lands above the reader.', parentId: first.id });
      await comment(page, reply.id).waitFor({ state: 'attached' });
      const after = await reading.evaluate((el) => ({ top: el.getBoundingClientRect().top, y: scrollY }));
      expect(Math.abs(after.top - before.top)).toBeLessThan(1);
      expect(after.y).toBeGreaterThan(before.y);
    } finally {
      await context.close();
    }
  });

  it('when the live stream drops and a comment is approved meanwhile, then it appears once the stream is back', async () => {
    const { context, page } = await h.open({ thread: 'reconnect' });
    try {
      await widgetReady(page);
      const streamBack = await dropStream(h, page, 'reconnect');
      const missed = await h.seed('reconnect', { name: 'Fay', text: 'Approved while you were away.' });
      await streamBack();
      await comment(page, missed.id).waitFor({ timeout: 20_000 });
      expect(await settled(() => widget(page).locator('section h2').textContent(), '1 comment')).toBe('1 comment');
    } finally {
      await context.close();
    }
  }, 45_000);

  it('when the live stream drops and a comment is removed meanwhile, then it goes once the stream is back', async () => {
    const doomed = await h.seed('reconnect-removal', { name: 'Gil', text: 'Removed while you were away.' });
    const reply = await h.seed('reconnect-removal', { name: 'Hal', text: 'A reply that goes too.', parentId: doomed.id });
    const stays = await h.seed('reconnect-removal', { name: 'Ida', text: 'Stays.' });
    const { context, page } = await h.open({ thread: 'reconnect-removal' });
    try {
      await widgetReady(page);
      await comment(page, reply.id).waitFor();
      const streamBack = await dropStream(h, page, 'reconnect-removal');
      await h.setStatus(reply.id, 'reconnect-removal', 'approved', 'removed');
      await h.setStatus(doomed.id, 'reconnect-removal', 'approved', 'removed');
      await streamBack();
      await comment(page, doomed.id).waitFor({ state: 'detached', timeout: 20_000 });
      expect(await comment(page, reply.id).count()).toBe(0);
      expect(await comment(page, stays.id).count()).toBe(1);
      expect(await settled(() => widget(page).locator('section h2').textContent(), '1 comment')).toBe('1 comment');
    } finally {
      await context.close();
    }
  }, 45_000);

  it('when a moderator removes a published comment, then it disappears from open pages and the count drops', async () => {
    const doomed = await h.seed('removing', { name: 'Abe', text: 'Soon gone.' });
    await h.seed('removing', { name: 'Bea', text: 'Stays.' });
    const { context, page } = await h.open({ thread: 'removing' });
    try {
      await widgetReady(page);
      await comment(page, doomed.id).waitFor();
      await h.setStatus(doomed.id, 'removing', 'approved', 'removed');
      expect(await settled(() => comment(page, doomed.id).count(), 0)).toBe(0);
      expect(await settled(() => widget(page).locator('section h2').textContent(), '1 comment')).toBe('1 comment');
    } finally {
      await context.close();
    }
  });

  it('when moderation rejects the reader’s pending comment, then it leaves their page at the next check', async () => {
    const context = await h.browser.newContext({ viewport: { width: 900, height: 900 } });
    const page = await context.newPage();
    await page.clock.install();
    try {
      await page.goto(h.articleUrl({ thread: 'rejecting' }));
      await widgetReady(page);
      const id = await postPending(page, { text: 'Buy my stuff', name: 'Cal' });
      await h.setStatus(id, 'rejecting', 'pending', 'rejected');
      await eventually(async () => (await commentRow(id))?.status === 'rejected');
      await page.clock.runFor(21_000);
      expect(await settled(() => widget(page).locator('li[data-pending]').count(), 0)).toBe(0);
    } finally {
      await context.close();
    }
  });

  it('when the widget runs, then it adds no global variables and nothing outside #parley-comments', async () => {
    const context = await h.browser.newContext();
    await context.addInitScript(() => {
      document.addEventListener('readystatechange', () => {
        if (document.readyState === 'interactive') document.documentElement.dataset.keys = JSON.stringify(Object.keys(window));
      });
    });
    const page = await context.newPage();
    try {
      await page.goto(h.articleUrl({ thread: 'seeded' }));
      await widgetReady(page);
      const added = await page.evaluate(() => {
        const before = JSON.parse(document.documentElement.dataset.keys ?? '[]') as string[];
        return Object.keys(window).filter((k) => !before.includes(k));
      });
      expect(added).toEqual([]);
      expect(await page.evaluate(() => document.querySelectorAll('body > *').length)).toBe(2); // <main> and the script tag
    } finally {
      await context.close();
    }
  });

  it.each(['light', 'dark'] as const)('when the %s theme is shown, then text, links, buttons and errors contrast at least 4.5:1', async (theme) => {
    const { context, page } = await h.open({ thread: 'seeded', theme });
    try {
      await widgetReady(page);
      await form(page).getByRole('button', { name: 'Post comment' }).click(); // shows field errors
      const ratios = await page.evaluate(() => {
        const root = document.getElementById('parley-comments')!.shadowRoot!;
        const rgb = (c: string) => (c.match(/[\d.]+/g) ?? []).slice(0, 3).map(Number);
        const lum = (c: string) => {
          const [r, g, b] = rgb(c).map((v) => {
            const s = v / 255;
            return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
          });
          return 0.2126 * r! + 0.7152 * g! + 0.0722 * b!;
        };
        const ratio = (fg: string, bg: string) => {
          const [a, b] = [lum(fg), lum(bg)].sort((x, y) => y - x);
          return Math.round(((a! + 0.05) / (b! + 0.05)) * 100) / 100;
        };
        const bg = getComputedStyle(root.querySelector('.w')!).backgroundColor;
        const color = (sel: string) => getComputedStyle(root.querySelector(sel)!).color;
        const submit = getComputedStyle(root.querySelector('section > form button[type=submit]')!);
        return {
          text: ratio(color('.t'), bg),
          time: ratio(color('time'), bg),
          link: ratio(color('.t a'), bg),
          action: ratio(color('.a button'), bg),
          label: ratio(color('label'), bg),
          error: ratio(color('.er:not([hidden])'), bg),
          button: ratio(submit.color, submit.backgroundColor),
        };
      });
      for (const [what, value] of Object.entries(ratios)) expect([what, value >= 4.5]).toEqual([what, true]);
    } finally {
      await context.close();
    }
  });
});

describe('embed.js in Chromium: writing', () => {
  it('when a reader posts a comment, then it shows at once as awaiting moderation and is stored pending', async () => {
    const { context, page } = await h.open({ thread: 'posting' });
    const tokenCalls: string[] = [];
    page.on('request', (r) => {
      if (r.url().includes('/form-token')) tokenCalls.push(r.url());
    });
    try {
      await widgetReady(page);
      expect(tokenCalls).toEqual([]); // fetched on first focus, not on load
      await fillForm(page, form(page), { text: 'My first thoughts on this.', name: 'Gil' });
      await form(page).getByRole('button', { name: 'Post comment' }).click();
      const mine = widget(page).locator('li[data-pending]');
      await mine.waitFor();
      expect(await settled(() => mine.locator('.pd').textContent(), 'Your comment is awaiting moderation.')).toBe('Your comment is awaiting moderation.');
      expect(await settled(() => mine.locator('.t').textContent(), 'My first thoughts on this.')).toBe('My first thoughts on this.');
      const row = await commentRow((await mine.getAttribute('data-id'))!);
      expect(row).toMatchObject({ status: 'pending', author_name: 'Gil', form_token: 'valid' });
      expect(tokenCalls).toHaveLength(1);
      // Pending comments do not count and cannot be reported.
      expect(await settled(() => widget(page).locator('section h2').textContent(), 'No comments yet')).toBe('No comments yet');
      expect(await settled(() => mine.getByRole('button', { name: 'Report' }).count(), 0)).toBe(0);
    } finally {
      await context.close();
    }
  });

  it('when a moderator approves a comment, then a second open page shows it live and the author sees it published', async () => {
    const author = await h.open({ thread: 'live' });
    const reader = await h.open({ thread: 'live' });
    try {
      await widgetReady(author.page);
      await widgetReady(reader.page);
      const id = await postPending(author.page, { text: 'Approve me, please.', name: 'Hana' });
      expect(await settled(() => comment(reader.page, id).count(), 0)).toBe(0);

      await h.setStatus(id, 'live', 'pending', 'approved');

      await comment(reader.page, id).waitFor();
      expect(await settled(() => comment(reader.page, id).locator('.t').textContent(), 'Approve me, please.')).toBe('Approve me, please.');
      expect(await settled(() => widget(reader.page).locator('section h2').textContent(), '1 comment')).toBe('1 comment');
      expect(await settled(() => widget(reader.page).locator('[aria-live=polite]').textContent(), 'New comment by Hana')).toBe('New comment by Hana');
      // The author's pending copy is replaced by the published comment.
      expect(await settled(() => widget(author.page).locator('li[data-pending]').count(), 0)).toBe(0);
      expect(await settled(() => comment(author.page, id).locator('.pd').count(), 0)).toBe(0);
      expect(await settled(() => widget(author.page).locator('section h2').textContent(), '1 comment')).toBe('1 comment');
    } finally {
      await author.context.close();
      await reader.context.close();
    }
  });

  it('when a reader replies to a comment, then the form opens under it and the pending reply sits under its parent', async () => {
    const parent = await h.seed('replying', { name: 'Ivo', text: 'Reply to me.' });
    const { context, page } = await h.open({ thread: 'replying' });
    try {
      await widgetReady(page);
      await comment(page, parent.id).getByRole('button', { name: 'Reply to Ivo' }).click();
      const reply = comment(page, parent.id).locator('form');
      expect(await settled(() => reply.getByRole('heading').textContent(), 'Reply to Ivo')).toBe('Reply to Ivo');
      expect(await focused(page)).toBe('textarea#text');
      await fillForm(page, reply, { text: 'Here is my reply.', name: 'Jo' });
      await reply.getByRole('button', { name: 'Post comment' }).click();
      const child = comment(page, parent.id).locator(':scope > ol > li[data-pending]');
      await child.waitFor();
      expect(await settled(() => reply.count(), 0)).toBe(0);
      const row = await commentRow((await child.getAttribute('data-id'))!);
      expect(row).toMatchObject({ status: 'pending', parent_id: parent.id });
    } finally {
      await context.close();
    }
  });

  it('when a reader reports a comment with a reason, then the report is stored and thanked for', async () => {
    const target = await h.seed('reporting', { name: 'Kai', text: 'Buy cheap watches!' });
    const { context, page } = await h.open({ thread: 'reporting' });
    try {
      await widgetReady(page);
      await comment(page, target.id).getByRole('button', { name: 'Report' }).click();
      const panel = comment(page, target.id).locator('form');
      await panel.getByLabel('Spam').check();
      await panel.getByLabel('Details (optional)').fill('Watch adverts');
      await panel.getByRole('button', { name: 'Send report' }).click();
      expect(await settled(() => comment(page, target.id).getByRole('status').first().textContent(), 'Thank you, the moderators will look at it.')).toBe('Thank you, the moderators will look at it.');
      const { rows } = await sql<{ reason: string; note: string }>`select reason, note from intake.reports where comment_id = ${target.id}`.execute(h.infra.db.db);
      expect(rows).toEqual([{ reason: 'spam', note: 'Watch adverts' }]);
    } finally {
      await context.close();
    }
  });

  it('when the author deletes their published comment within the edit window, then it disappears here and on other open pages', async () => {
    const author = await h.open({ thread: 'deleting' });
    const reader = await h.open({ thread: 'deleting' });
    try {
      await widgetReady(author.page);
      await widgetReady(reader.page);
      const id = await postPending(author.page, { text: 'I will regret this.', name: 'Lena' });
      await h.setStatus(id, 'deleting', 'pending', 'approved');
      await comment(reader.page, id).waitFor();
      expect(await settled(() => widget(author.page).locator('li[data-pending]').count(), 0)).toBe(0);

      await comment(author.page, id).getByRole('button', { name: 'Delete' }).click();
      await comment(author.page, id).getByRole('button', { name: 'Yes, delete' }).click();
      expect(await settled(() => comment(author.page, id).count(), 0)).toBe(0);
      expect(await settled(() => comment(reader.page, id).count(), 0)).toBe(0);
      expect(await settled(() => widget(reader.page).locator('section h2').textContent(), 'No comments yet')).toBe('No comments yet');
      expect(await commentRow(id)).toMatchObject({ status: 'deleted' });
      // Others' comments offer no delete button.
      expect(await settled(() => widget(reader.page).getByRole('button', { name: 'Delete' }).count(), 0)).toBe(0);
    } finally {
      await author.context.close();
      await reader.context.close();
    }
  });

  it('when the server refuses a field, then its message shows at that field and is tied to it with aria-describedby', async () => {
    const { context, page } = await h.open({ thread: 'refused' });
    try {
      await widgetReady(page);
      // The browser-side check accepts any a@b; the server wants a real domain.
      await fillForm(page, form(page), { text: 'Hello', name: 'Mo', email: 'mo@localhost' });
      await form(page).getByRole('button', { name: 'Post comment' }).click();
      const email = form(page).locator('input[name=email]');
      expect(await settled(() => email.getAttribute('aria-invalid'), 'true')).toBe('true');
      const described = (await email.getAttribute('aria-describedby'))!;
      const message = form(page).locator(`[id="${described}"]`);
      expect(await settled(() => message.isVisible(), true)).toBe(true);
      await expect(message.textContent()).resolves.toMatch(/email/i);
      expect(await focused(page)).toBe('input#email');
      expect(await form(page).locator('input[name=name]').getAttribute('aria-invalid')).not.toBe('true');
      expect(await settled(() => form(page).locator('.st').textContent(), 'Please correct the highlighted fields.')).toBe('Please correct the highlighted fields.');
    } finally {
      await context.close();
    }
  });

  it('when a required field is empty, then the browser-side check names it without calling the server', async () => {
    const { context, page } = await h.open({ thread: 'refused' });
    const posts: string[] = [];
    page.on('request', (r) => {
      if (r.method() === 'POST') posts.push(r.url());
    });
    try {
      await widgetReady(page);
      await form(page).locator('input[name=name]').fill('Nia');
      await form(page).getByRole('button', { name: 'Post comment' }).click();
      const text = form(page).locator('textarea[name=text]');
      expect(await settled(() => text.getAttribute('aria-invalid'), 'true')).toBe('true');
      const describedBy = await text.getAttribute('aria-describedby');
      expect(await form(page).locator(`[id="${describedBy}"]`).textContent()).toBe('Please fill in this field.');
      expect(posts).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('when a reader uses only the keyboard, then they can reach the form, write and post a comment', async () => {
    const { context, page } = await h.open({ thread: 'keyboard' });
    try {
      await widgetReady(page);
      await page.locator('#before').focus();
      for (let i = 0; i < 20 && (await focused(page)) !== 'textarea#text'; i++) await page.keyboard.press('Tab');
      expect(await focused(page)).toBe('textarea#text');
      // Focus is visible.
      const outline = await page.evaluate(() => {
        const el = document.getElementById('parley-comments')!.shadowRoot!.activeElement!;
        return getComputedStyle(el).outlineStyle;
      });
      expect(outline).not.toBe('none');
      await page.keyboard.type('Typed without a mouse.');
      await page.keyboard.press('Tab');
      expect(await focused(page)).toBe('input#name');
      await page.keyboard.type('Olu');
      await page.keyboard.press('Tab'); // email
      await page.keyboard.press('Tab'); // website
      await page.keyboard.press('Tab'); // save checkbox (the honeypot is skipped)
      expect(await focused(page)).toBe('input#save');
      await page.keyboard.press('Tab');
      expect(await focused(page)).toBe('button:Post comment');
      await page.keyboard.press('Enter');
      const mine = widget(page).locator('li[data-pending]');
      await mine.waitFor();
      expect(await settled(() => mine.locator('.t').textContent(), 'Typed without a mouse.')).toBe('Typed without a mouse.');
      expect(await focused(page)).toBe('article:' + (await mine.locator('article').textContent())!.trim());
    } finally {
      await context.close();
    }
  });

  it('when a panel is open and the reader presses Escape, then it closes and focus returns to the button that opened it', async () => {
    const target = await h.seed('escaping', { name: 'Gus', text: 'Report me by keyboard.' });
    const { context, page } = await h.open({ thread: 'escaping' });
    try {
      await widgetReady(page);
      await comment(page, target.id).getByRole('button', { name: 'Report' }).focus();
      await page.keyboard.press('Enter');
      expect(await focused(page)).toBe('input#reason'); // the first reason, checked
      await page.keyboard.press('Escape');
      expect(await settled(() => comment(page, target.id).locator('form').count(), 0)).toBe(0);
      expect(await focused(page)).toBe('button:Report');
      await page.keyboard.press('Shift+Tab');
      expect(await focused(page)).toBe('button:Reply');
      await page.keyboard.press('Enter');
      expect(await focused(page)).toBe('textarea#text');
      await page.keyboard.press('Escape');
      expect(await settled(() => comment(page, target.id).locator('form').count(), 0)).toBe(0);
      expect(await focused(page)).toBe('button:Reply');
    } finally {
      await context.close();
    }
  });

  it('when the site is closed, then the thread still shows but there is no form and no reply button', async () => {
    await h.addSite('widget-closed-later', { minSubmitSeconds: 0 });
    await h.seed('closing', { name: 'Dina', text: 'Said before closing.' }, 'widget-closed-later');
    await h.addSite('widget-closed-later', { minSubmitSeconds: 0 }, 'closed');
    await eventually(async () => (await request(h.apiUrl).get('/v1/sites/widget-closed-later/settings')).body.status === 'closed');
    const { context, page } = await h.open({ site: 'widget-closed-later', thread: 'closing' });
    try {
      await widgetReady(page);
      expect(await widget(page).locator('li.c').count()).toBe(1);
      expect(await widget(page).locator('section > p').textContent()).toBe('Comments are closed.');
      expect(await widget(page).locator('form').count()).toBe(0);
      expect(await widget(page).getByRole('button', { name: /^Reply/ }).count()).toBe(0);
    } finally {
      await context.close();
    }
  });

  it('when the edit window has passed, then the author gets Erase instead of Delete, and erasing removes the comment here, on other pages and from the server', async () => {
    await h.addSite('widget-no-edit', { editWindowMinutes: 0, minSubmitSeconds: 0 });
    const author = await h.open({ site: 'widget-no-edit', thread: 'final' });
    const reader = await h.open({ site: 'widget-no-edit', thread: 'final' });
    try {
      await widgetReady(author.page);
      await widgetReady(reader.page);
      const id = await postPending(author.page, { text: 'Set in stone, or so I thought.', name: 'Eli' });
      await h.setStatus(id, 'final', 'pending', 'approved', 'widget-no-edit');
      await comment(reader.page, id).waitFor();
      expect(await widget(author.page).getByRole('button', { name: 'Delete' }).count()).toBe(0);

      await comment(author.page, id).getByRole('button', { name: 'Erase' }).click();
      const panel = comment(author.page, id).getByRole('group', { name: /^Erase your comment\?/ });
      expect(await panel.textContent()).toContain('Your name, website and text are removed for good.');
      await panel.getByRole('button', { name: 'Yes, erase' }).click();

      expect(await settled(() => comment(author.page, id).count(), 0)).toBe(0);
      expect(await settled(() => comment(reader.page, id).count(), 0)).toBe(0);
      expect(await settled(() => widget(author.page).locator('div.sr[aria-live]').textContent(), 'Your comment was erased.')).toBe('Your comment was erased.');
      const { rows } = await sql<{ status: string; author_name: string; text: string; erased: boolean }>`
        select status, author_name, "text", erased_at is not null as erased from intake.comments where id = ${id}`.execute(h.infra.db.db);
      expect(rows).toEqual([{ status: 'deleted', author_name: '', text: '', erased: true }]);
      // The widget forgot the comment: a reload shows neither it nor a button for it.
      await author.page.reload();
      await widgetReady(author.page);
      expect(await widget(author.page).getByRole('button', { name: 'Erase' }).count()).toBe(0);
    } finally {
      await author.context.close();
      await reader.context.close();
    }
  });

  it('when the edit window closes while the page is open, then Delete is refused with the reason and Erase takes its place', async () => {
    const { context, page } = await h.open({ thread: 'window-closes' });
    try {
      await widgetReady(page);
      const id = await postPending(page, { text: 'Thinking it over.', name: 'Ines' });
      // The page still counts on the window; the server's clock says it closed an hour ago.
      await sql`update intake.comments set created_at = created_at - interval '1 hour' where id = ${id}`.execute(h.infra.db.db);

      await comment(page, id).getByRole('button', { name: 'Delete' }).click();
      await comment(page, id).getByRole('button', { name: 'Yes, delete' }).click();
      expect(await settled(() => comment(page, id).getByRole('status').first().textContent(), 'The time to delete this comment has passed.')).toBe(
        'The time to delete this comment has passed.',
      );
      await comment(page, id).getByRole('button', { name: 'Erase' }).click();
      await comment(page, id).getByRole('button', { name: 'Yes, erase' }).click();
      expect(await settled(() => comment(page, id).count(), 0)).toBe(0);
      expect(await commentRow(id)).toMatchObject({ status: 'deleted', author_name: '' });
    } finally {
      await context.close();
    }
  });

  it('when a reader downloads the data of their own comment, then the file holds it as they wrote it; a failed download says so, and others’ comments offer none', async () => {
    const other = (await h.seed('my-data', { name: 'Lou', text: 'Not yours to download.' })).id;
    const { context, page } = await h.open({ thread: 'my-data' });
    try {
      await widgetReady(page);
      await comment(page, other).waitFor();
      expect(await comment(page, other).getByRole('button', { name: 'Download my data' }).count()).toBe(0);
      const id = await postPending(page, { text: 'Mine, all of it.', name: 'Kim', email: 'kim@example.org', website: 'https://kim.example.org' });
      const download = comment(page, id).getByRole('button', { name: 'Download my data' });

      await page.route('**/export', (route) => route.abort('connectionreset'));
      await download.click();
      expect(await settled(() => comment(page, id).getByRole('status').first().textContent(), 'Something went wrong. Please try again.')).toBe(
        'Something went wrong. Please try again.',
      );
      await page.unroute('**/export');

      const [file] = await Promise.all([page.waitForEvent('download'), download.click()]);
      expect(file.suggestedFilename()).toBe(`comment-${id}.json`);
      const body = await downloadedJson(file);
      expect(body).toMatchObject({ kind: 'export', truncated: false, authorKey: null });
      expect(body.comments).toEqual([
        expect.objectContaining({ id, thread: 'my-data', status: 'pending', name: 'Kim', email: 'kim@example.org', website: 'https://kim.example.org', text: 'Mine, all of it.' }),
      ]);
      // The failure note goes once a download works.
      expect(await settled(() => comment(page, id).getByRole('status').count(), 0)).toBe(0);
    } finally {
      await context.close();
    }
  });

  it('when the network fails during a post, then the retry reuses the Idempotency-Key and one comment is stored', async () => {
    const { context, page } = await h.open({ thread: 'flaky' });
    const keys: string[] = [];
    let failures = 1;
    await page.route('**/threads/flaky/comments', async (route) => {
      if (route.request().method() !== 'POST') return route.fallback();
      keys.push((await route.request().headerValue('idempotency-key')) ?? '');
      if (failures-- > 0) return route.abort('connectionreset');
      return route.fallback();
    });
    try {
      await widgetReady(page);
      await fillForm(page, form(page), { text: 'Sent over a flaky line.', name: 'Pia' });
      const button = form(page).getByRole('button', { name: 'Post comment' });
      await button.click();
      await widget(page).locator('li[data-pending]').waitFor();
      expect(keys).toHaveLength(2);
      expect(keys[0]).toMatch(/^[0-9a-f]{32}$/);
      expect(keys[1]).toBe(keys[0]);
      const { rows } = await sql<{ n: number }>`select count(*)::int as n from intake.comments where site_id = ${SITE} and thread_id = 'flaky'`.execute(h.infra.db.db);
      expect(rows[0]!.n).toBe(1);
    } finally {
      await context.close();
    }
  });
});
