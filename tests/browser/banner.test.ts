import { sql } from 'kysely';
import request from 'supertest';
import type { Page } from 'playwright-core';
import { eventually } from '@parley/shared/testing';
import { SITE, startBannerHarness, type BannerHarness } from './banner-harness';
import { downloadedJson } from './support/download';

let h: BannerHarness;

beforeAll(async () => {
  h = await startBannerHarness();
}, 60_000);

afterAll(async () => {
  await h?.close();
});

const banner = (page: Page) => page.locator('#parley-consent .b');
const prefs = (page: Page) => page.locator('#parley-consent .m');
const consentIdOf = (page: Page) => page.evaluate(() => (window as any).Parley.consent.get()?.id as string | undefined);

/** The records the service stored for one consent id, once there are `n` of them. */
async function recordsOf(consentId: string, n = 1) {
  return eventually(async () => {
    const { rows } = await sql<{ action: string; accepted: string[]; rejected: string[]; gpc: boolean; services: { accepted: string[]; rejected: string[] } }>`
      select action, accepted, rejected, gpc, services from consent.records where site = ${SITE} and consent_id = ${consentId} order by seq`.execute(h.infra.db.db);
    return rows.length >= n ? rows : undefined;
  }, 15_000);
}

/** What has the focus, looking through the banner's shadow root. */
const focused = (page: Page) =>
  page.evaluate(() => {
    const host = document.getElementById('parley-consent');
    const el = (document.activeElement === host ? host?.shadowRoot?.activeElement : document.activeElement) as HTMLElement | null;
    if (!el) return 'none';
    const tag = el.tagName.toLowerCase();
    return `${tag}:${tag === 'div' ? el.className : (el as HTMLInputElement).value || el.textContent?.trim()}`;
  });

describe('banner.js in Chromium', () => {
  it('when a first-time visitor opens an article, then the banner shows three equally prominent choices', async () => {
    const { context, page } = await h.open();
    try {
      await banner(page).waitFor();
      expect(await banner(page).getAttribute('role')).toBe('dialog');
      await expect(banner(page).locator('h2').textContent()).resolves.toBe('Your privacy choices');
      const styles = await banner(page)
        .locator('button')
        .evaluateAll((els) => els.map((el) => {
          const s = getComputedStyle(el);
          return [el.textContent, [s.fontSize, s.fontWeight, s.backgroundColor, s.color, s.borderWidth, s.padding].join('|')];
        }));
      expect(styles.map(([t]) => t)).toEqual(['Accept all', 'Reject all', 'Preferences']);
      expect(new Set(styles.map(([, s]) => s)).size).toBe(1);
      // The page's own styles (red buttons, green serif text) do not reach into the banner,
      // and the banner's do not leak out onto the page's buttons.
      const inside = await banner(page).locator('button').first().evaluate((el) => {
        const s = getComputedStyle(el);
        return [s.backgroundColor, s.color, s.fontFamily.includes('serif') && !s.fontFamily.includes('sans')];
      });
      expect(inside).toEqual(['rgb(255, 255, 255)', 'rgb(26, 26, 26)', false]);
      expect(await page.locator('#share').evaluate((el) => [getComputedStyle(el).backgroundColor, getComputedStyle(el).minWidth])).toEqual(['rgb(255, 0, 0)', '0px']);
    } finally {
      await context.close();
    }
  });

  it('when the visitor rejects all, then only the consent cookie is set, nothing gated runs and reject_all is recorded', async () => {
    const { context, page } = await h.open();
    try {
      await banner(page).getByRole('button', { name: 'Reject all' }).click();
      await banner(page).waitFor({ state: 'detached' });
      const cookies = await context.cookies();
      expect(cookies.map((c) => c.name)).toEqual(['parley_consent']);
      expect(cookies[0]!.sameSite).toBe('Lax');
      expect(await page.evaluate(() => (window as any).analyticsRan)).toBeUndefined();
      await expect(page.locator('#parley-consent [role="status"]').textContent()).resolves.toBe('Your choices have been saved.');
      const [rec] = await recordsOf((await consentIdOf(page))!);
      expect(rec).toMatchObject({ action: 'reject_all', accepted: ['necessary'], rejected: ['functional', 'analytics', 'marketing'], gpc: false });
    } finally {
      await context.close();
    }
  });

  it('when the visitor accepts all, then the gated script runs once, the API reports it and accept_all is recorded', async () => {
    const { context, page } = await h.open();
    try {
      await page.evaluate(() => {
        (window as any).changes = [];
        (window as any).Parley.consent.on('change', (s: unknown) => (window as any).changes.push(s));
      });
      await banner(page).getByRole('button', { name: 'Accept all' }).click();
      await page.waitForFunction(() => (window as any).analyticsRan === 1);
      const state = await page.evaluate(() => (window as any).Parley.consent.get());
      expect(state.accepted).toEqual(['necessary', 'functional', 'analytics', 'marketing']);
      expect(await page.evaluate(() => (window as any).changes.length)).toBe(1);
      const [rec] = await recordsOf(state.id);
      expect(rec!.action).toBe('accept_all');
      // A returning visitor: no banner, and the gated script runs again on the new page.
      await page.reload();
      await page.waitForFunction(() => (window as any).analyticsRan === 1);
      expect(await banner(page).count()).toBe(0);
    } finally {
      await context.close();
    }
  });

  it('when a visitor who chose downloads their consent records, then the file holds each choice with the receipt the banner got, and a failed download says so', async () => {
    const { context, page } = await h.open();
    try {
      // Before any choice there is nothing to download.
      await banner(page).getByRole('button', { name: 'Preferences' }).click();
      await prefs(page).waitFor();
      expect(await prefs(page).getByRole('button', { name: 'Download my consent records' }).count()).toBe(0);
      await prefs(page).getByRole('button', { name: 'Reject all' }).click();
      await page.waitForFunction(() => (window as any).Parley.consent.get()?.receipt !== undefined);
      await page.locator('#settings').click();
      await prefs(page).getByRole('button', { name: 'Accept all' }).click();
      await page.waitForFunction(() => (window as any).Parley.consent.get()?.receipt !== undefined);
      const state = await page.evaluate(() => (window as any).Parley.consent.get());
      await recordsOf(state.id, 2);

      await page.locator('#settings').click();
      // A failed request says so under the link; the next download that works takes the note away.
      await page.route(`**/consents/${state.id}`, (route) => route.abort('connectionreset'));
      await prefs(page).getByRole('button', { name: 'Download my consent records' }).click();
      expect(await prefs(page).getByRole('alert').textContent()).toBe('Your records could not be downloaded. Please try again.');
      await page.unroute(`**/consents/${state.id}`);
      const [download] = await Promise.all([page.waitForEvent('download'), prefs(page).getByRole('button', { name: 'Download my consent records' }).click()]);
      expect(await prefs(page).getByRole('alert').count()).toBe(0);
      expect(download.suggestedFilename()).toBe(`consent-${state.id}.json`);
      const file = await downloadedJson(download);
      expect(file).toMatchObject({ consentId: state.id, site: SITE });
      expect(file.records.map((r: { action: string }) => r.action)).toEqual(['reject_all', 'accept_all']);
      expect(file.records[1].receipt).toBe(state.receipt);
      expect(file.records[1].shown).toMatchObject({ language: 'en', texts: { title: 'Your privacy choices' } });
      // The same records for a publisher's own page, through the API.
      expect(await page.evaluate(() => (window as any).Parley.consent.history())).toEqual(file);
    } finally {
      await context.close();
    }
  });

  it('when the visitor uses only the keyboard, then preferences open, toggle, save and give focus back', async () => {
    const { context, page } = await h.open();
    try {
      await banner(page).waitFor();
      expect(await focused(page)).toMatch(/^div:b/);
      await page.keyboard.press('Tab');
      expect(await focused(page)).toBe('button:Accept all');
      await page.keyboard.press('Tab');
      await page.keyboard.press('Tab');
      expect(await focused(page)).toBe('button:Preferences');
      await page.keyboard.press('Enter');
      await prefs(page).waitFor();
      expect(await prefs(page).getAttribute('aria-modal')).toBe('true');
      expect(await focused(page)).toBe('input:functional');
      await page.keyboard.press('Space');
      await page.keyboard.press('Tab');
      expect(await focused(page)).toBe('input:analytics');
      await page.keyboard.press('Space');
      // Escape closes the preferences without consent: the banner stays and gets focus back.
      await page.keyboard.press('Escape');
      await prefs(page).waitFor({ state: 'detached' });
      expect(await focused(page)).toBe('button:Preferences');
      expect(await page.evaluate(() => (window as any).Parley.consent.get())).toBeNull();

      await page.keyboard.press('Enter');
      await prefs(page).waitFor();
      await page.keyboard.press('Space'); // functional on
      await page.keyboard.press('Tab');
      await page.keyboard.press('Space'); // analytics on
      for (let i = 0; i < 4; i++) await page.keyboard.press('Tab'); // marketing, Accept, Reject, Save
      expect(await focused(page)).toBe('button:Save choices');
      // Tab from the last control wraps to the first: focus stays in the modal.
      await page.keyboard.press('Tab');
      await page.keyboard.press('Tab');
      expect(await focused(page)).toBe('input:functional');
      await page.keyboard.press('Shift+Tab');
      await page.keyboard.press('Shift+Tab');
      await page.keyboard.press('Enter');
      await prefs(page).waitFor({ state: 'detached' });
      expect(await banner(page).count()).toBe(0);
      const [rec] = await recordsOf((await consentIdOf(page))!);
      expect(rec).toMatchObject({ action: 'custom', accepted: ['necessary', 'functional', 'analytics'], rejected: ['marketing'] });

      // The footer link reopens the preferences by keyboard; Escape returns focus to it.
      await page.focus('#settings');
      await page.keyboard.press('Enter');
      await prefs(page).waitFor();
      expect(await prefs(page).locator('input[value="analytics"]').isChecked()).toBe(true);
      await page.keyboard.press('Escape');
      await prefs(page).waitFor({ state: 'detached' });
      expect(await focused(page)).toBe('a:Cookie settings');
    } finally {
      await context.close();
    }
  });

  it('when the operator publishes a new revision, then a visitor who chose before is asked again', async () => {
    const { context, page } = await h.open();
    try {
      await banner(page).getByRole('button', { name: 'Reject all' }).click();
      await page.reload();
      await page.waitForFunction(() => (window as any).Parley.consent.get() !== null);
      expect(await banner(page).count()).toBe(0);
      const api = request(h.service.url);
      const current = await api.get(`/v1/admin/sites/${SITE}/consent/config`).set('Authorization', `Bearer ${h.adminKey}`);
      const changed = { ...current.body.config, texts: { en: { ...current.body.config.texts.en, title: 'We updated our partners' } } };
      const put = await api.put(`/v1/admin/sites/${SITE}/consent/config`).set('Authorization', `Bearer ${h.adminKey}`).send(changed);
      expect(put.status).toBe(201);
      await page.reload();
      await banner(page).waitFor();
      await expect(banner(page).locator('h2').textContent()).resolves.toBe('We updated our partners');
      expect(await page.evaluate(() => (window as any).Parley.consent.get())).toBeNull();
    } finally {
      await context.close();
    }
  });

  it('when the browser sends Global Privacy Control, then marketing stays off, the visitor is told and gpc is recorded', async () => {
    const { context, page } = await h.open({ gpc: true });
    try {
      await banner(page).locator('.g').waitFor();
      await banner(page).getByRole('button', { name: 'Preferences' }).click();
      expect(await prefs(page).locator('input[value="marketing"]').isChecked()).toBe(false);
      await prefs(page).getByRole('button', { name: 'Accept all' }).click();
      const state = await page.evaluate(() => (window as any).Parley.consent.get());
      expect(state.accepted).not.toContain('marketing');
      const [rec] = await recordsOf(state.id);
      expect(rec).toMatchObject({ action: 'gpc', gpc: true, rejected: ['marketing'] });
    } finally {
      await context.close();
    }
  });

  it('when the page uses Google Consent Mode, then default (denied) comes first and the update follows the choice', async () => {
    const { context, page } = await h.open({ consentMode: true });
    try {
      await banner(page).getByRole('button', { name: 'Preferences' }).click();
      await prefs(page).locator('input[value="analytics"]').check();
      await prefs(page).getByRole('button', { name: 'Save choices' }).click();
      const calls = await page.evaluate(() => (window as any).dataLayer.map((a: IArguments) => Array.from(a)));
      expect(calls[0]).toEqual(['consent', 'default', expect.objectContaining({ ad_storage: 'denied', analytics_storage: 'denied', ad_user_data: 'denied', ad_personalization: 'denied' })]);
      expect(calls[1][0]).toBe('js');
      expect(calls[2]).toEqual(['config', 'G-TEST']);
      expect(calls[3]).toEqual(['consent', 'update', expect.objectContaining({ analytics_storage: 'granted', ad_storage: 'denied', ad_user_data: 'denied', ad_personalization: 'denied' })]);
      expect(calls).toHaveLength(4);
    } finally {
      await context.close();
    }
  });

  it('when the visitor withdraws a category, then its configured cookies are cleared and withdraw is recorded', async () => {
    const { context, page } = await h.open();
    try {
      await banner(page).getByRole('button', { name: 'Accept all' }).click();
      await page.waitForFunction(() => document.cookie.includes('_ga='));
      await page.evaluate(() => (document.cookie = 'theme=dark; path=/'));
      await page.click('#settings');
      await prefs(page).locator('input[value="analytics"]').uncheck();
      await prefs(page).getByRole('button', { name: 'Save choices' }).click();
      await prefs(page).waitFor({ state: 'detached' });
      const names = (await context.cookies()).map((c) => c.name).sort();
      expect(names).toEqual(['parley_consent', 'theme']);
      const recs = await recordsOf((await consentIdOf(page))!, 2);
      expect(recs.map((r) => r.action)).toEqual(['accept_all', 'withdraw']);
      expect(recs[1]!.rejected).toEqual(['analytics']);
    } finally {
      await context.close();
    }
  });

  it('when a category lists services, then each can be switched off alone and only the allowed ones run', async () => {
    const api = request(h.service.url);
    const auth = { Authorization: `Bearer ${h.adminKey}` };
    const current = await api.get(`/v1/admin/sites/${SITE}/consent/config`).set(auth);
    const config = current.body.config;
    const withServices = {
      ...config,
      categories: config.categories.map((c: { id: string }) =>
        c.id === 'analytics'
          ? { ...c, services: [{ id: 'ga', name: 'Google Analytics', cookies: ['_ga', '_ga_*'] }, { id: 'hotjar', name: 'Hotjar', cookies: ['_hj*'] }] }
          : c,
      ),
    };
    expect((await api.put(`/v1/admin/sites/${SITE}/consent/config`).set(auth).send(withServices)).status).toBe(201);
    const { context, page } = await h.open();
    try {
      await banner(page).getByRole('button', { name: 'Preferences' }).click();
      await prefs(page).locator('input[value="analytics"]').check();
      expect(await prefs(page).locator('input[value="hotjar"]').isChecked()).toBe(true);
      await prefs(page).locator('input[value="hotjar"]').uncheck();
      await prefs(page).getByRole('button', { name: 'Save choices' }).click();
      await page.waitForFunction(() => (window as any).analyticsRan === 1);
      expect(await page.evaluate(() => (window as any).hotjarRan)).toBeUndefined();
      const state = await page.evaluate(() => (window as any).Parley.consent.get());
      expect(state.services).toEqual(['ga']);
      const [rec] = await recordsOf(state.id);
      expect(rec!.services).toEqual({ accepted: ['ga'], rejected: ['hotjar'] });
    } finally {
      await context.close();
    }
  });

  it('when the page is in another language, then the banner speaks it, right to left where needed, else the site default', async () => {
    const api = request(h.service.url);
    const auth = { Authorization: `Bearer ${h.adminKey}` };
    const config = (await api.get(`/v1/admin/sites/${SITE}/consent/config`).set(auth)).body.config;
    const en = config.texts.en;
    const translated = (title: string) => ({ ...en, title });
    const put = await api.put(`/v1/admin/sites/${SITE}/consent/config`).set(auth).send({ ...config, texts: { en, de: translated('Ihre Datenschutz-Einstellungen'), ar: translated('خيارات الخصوصية') } });
    expect(put.status).toBe(201);
    for (const [lang, title, dir] of [['de-AT', 'Ihre Datenschutz-Einstellungen', 'ltr'], ['ar', 'خيارات الخصوصية', 'rtl'], ['fr', en.title, 'ltr']]) {
      const { context, page } = await h.open({ lang });
      try {
        await banner(page).waitFor();
        expect({ lang, title: await banner(page).locator('h2').textContent(), dir: await banner(page).getAttribute('dir') }).toEqual({ lang, title, dir });
      } finally {
        await context.close();
      }
    }
  });

  it('when the page has a strict nonce-based CSP, then the banner is styled, works and activates the gated script', async () => {
    const { context, page } = await h.open({ csp: true });
    try {
      await banner(page).waitFor();
      expect(await banner(page).evaluate((el) => getComputedStyle(el).position)).toBe('fixed');
      await banner(page).getByRole('button', { name: 'Accept all' }).click();
      await page.waitForFunction(() => (window as any).analyticsRan === 1);
      await recordsOf((await consentIdOf(page))!);
      expect(await page.evaluate(() => (window as any).cspViolations)).toEqual([]);
    } finally {
      await context.close();
    }
  });
});
