import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { generateApiKey, upsertApiKeySnapshot, upsertSiteSnapshot, siteSettingsSchema, type TenancyReadTables } from '@parley/shared';
import { startTestInfra, startTestService, type RunningTestService, type TestInfraHandle } from '@parley/shared/testing';
import { cookieConsent } from '@parley/cookie-consent';

export const SITE = 'browser-news';

export interface PageOptions {
  /** The page uses Google Consent Mode (a dataLayer and gtag before the banner). */
  consentMode?: boolean;
  /** The page's `<html lang>`. */
  lang?: string;
  /** Serve the page under a strict, nonce-based Content-Security-Policy. */
  csp?: boolean;
}

export const NONCE = 'bm9uY2UtZm9yLXRlc3Rz';

/**
 * A publisher's article page, served from its own port (another origin than the service), with
 * a gated analytics script and a footer link that reopens the preferences.
 */
function articleHtml(serviceUrl: string, opts: PageOptions): string {
  const gtag = opts.consentMode
    ? `<script nonce="${NONCE}">window.dataLayer=[];function gtag(){dataLayer.push(arguments)}</script>`
    : '';
  // Synchronous here so Consent Mode's default provably precedes the page's own gtag calls.
  const banner = `<script nonce="${NONCE}" src="${serviceUrl}/banner.js" data-site="${SITE}"${opts.consentMode ? '' : ' async'}></script>`;
  const config = opts.consentMode ? `<script nonce="${NONCE}">gtag('js', new Date());gtag('config','G-TEST')</script>` : '';
  return `<!doctype html><html lang="${opts.lang ?? 'en'}"><head><meta charset="utf-8"><title>Peace talks</title>${gtag}
<style nonce="${NONCE}">body{color:rgb(0,128,0);font-family:serif}button{background-color:rgb(255,0,0)}</style></head>
<body>
<article><h1>Peace talks resume</h1><p>Story text.</p><button id="share">Share</button></article>
<footer><a href="#" id="settings" data-parley-consent-open>Cookie settings</a></footer>
<script type="text/plain" data-category="analytics" nonce="${NONCE}">window.analyticsRan=(window.analyticsRan||0)+1;document.cookie='_ga=GA1.1.42; path=/';document.cookie='_ga_XYZ=GS1.1; path=/'</script>
<script type="text/plain" data-category="analytics" data-service="hotjar" nonce="${NONCE}">window.hotjarRan=1</script>
${banner}${config}
</body></html>`;
}

export interface BannerHarness {
  infra: TestInfraHandle;
  service: RunningTestService;
  pageOrigin: string;
  adminKey: string;
  browser: Browser;
  open(opts?: PageOptions & { gpc?: boolean; context?: BrowserContext }): Promise<{ context: BrowserContext; page: Page }>;
  close(): Promise<void>;
}

export async function startBannerHarness(): Promise<BannerHarness> {
  const infra = await startTestInfra();
  const service = await startTestService(cookieConsent, infra);
  let pageOptions: PageOptions = {};
  const pages: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (url.pathname !== '/article') {
      res.writeHead(404).end();
      return;
    }
    const csp = url.searchParams.has('csp')
      ? { 'Content-Security-Policy': `default-src 'none'; script-src 'nonce-${NONCE}' 'strict-dynamic'; style-src 'self' 'nonce-${NONCE}'; connect-src ${service.url}` }
      : {};
    res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store', ...csp });
    res.end(articleHtml(service.url, { ...pageOptions, consentMode: url.searchParams.has('cm'), lang: url.searchParams.get('lang') ?? undefined }));
  });
  await new Promise<void>((resolve) => pages.listen(0, '127.0.0.1', resolve));
  // localhost vs 127.0.0.1: a cross-origin page, as on a real publisher's site.
  const pageOrigin = `http://localhost:${(pages.address() as AddressInfo).port}`;

  const db = infra.db.db as Kysely<TenancyReadTables>;
  await upsertSiteSnapshot(db, 'consent', {
    id: SITE,
    name: 'Browser News',
    allowedOrigins: [pageOrigin],
    settings: siteSettingsSchema.parse({}),
    status: 'active',
    version: 1,
    updatedAt: new Date().toISOString(),
  });
  const key = generateApiKey();
  await upsertApiKeySnapshot(db, 'consent', { id: randomUUID(), prefix: key.prefix, hash: key.hash, role: 'admin', sites: [SITE], revokedAt: null, version: 1 });

  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
  return {
    infra,
    service,
    pageOrigin,
    adminKey: key.secret,
    browser,
    async open(opts = {}) {
      pageOptions = opts;
      const context = opts.context ?? (await browser.newContext(opts.gpc ? { extraHTTPHeaders: { 'Sec-GPC': '1' } } : {}));
      if (!opts.context) {
        // Every CSP violation the page meets, for tests to assert there were none.
        await context.addInitScript(() => {
          const w = window as unknown as { cspViolations: string[] };
          w.cspViolations = [];
          document.addEventListener('securitypolicyviolation', (e) => w.cspViolations.push(`${e.violatedDirective} ${e.blockedURI}`));
        });
      }
      if (opts.gpc && !opts.context) {
        await context.addInitScript(() => Object.defineProperty(Navigator.prototype, 'globalPrivacyControl', { get: () => true }));
      }
      const page = await context.newPage();
      const query = new URLSearchParams({ ...(opts.consentMode ? { cm: '1' } : {}), ...(opts.lang ? { lang: opts.lang } : {}), ...(opts.csp ? { csp: '1' } : {}) });
      await page.goto(`${pageOrigin}/article?${query}`);
      return { context, page };
    },
    async close() {
      await browser.close();
      pages.closeAllConnections();
      await new Promise<void>((resolve) => pages.close(() => resolve()));
      await service.stop();
      await infra.close();
    },
  };
}
