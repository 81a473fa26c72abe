/**
 * banner.js: the cookie banner publishers load with
 *   <script src="https://consent.example.org/banner.js" data-site="thinktank" async></script>
 * Dependency-free and small (the budget is 6 KB gzipped with its CSS). It touches the host page only
 * through one shadow root, one cookie and `window.Parley`.
 */
import { CSS } from './banner.styles';

interface Category {
  id: string;
  required: boolean;
  offUnderGpc: boolean;
  consentMode: string[];
  cookies: string[];
  services: { id: string; name: string; cookies: string[] }[];
}
interface Texts {
  title: string;
  description: string;
  acceptAll: string;
  rejectAll: string;
  preferences: string;
  save: string;
  close: string;
  policyLabel: string;
  gpcNotice: string;
  saved: string;
  records: string;
  recordsFailed?: string;
  categories: Record<string, { label: string; description: string }>;
}
interface Config {
  site: string;
  revision: number;
  categories: Category[];
  texts: Record<string, Texts>;
  defaultLanguage: string;
  policyUrl: string | null;
  lifetimeDays: number;
  theme: { layout: string; variables: Record<string, string> };
}
/** What the consent cookie holds. */
interface Stored {
  i: string; // consent id
  r: number; // revision
  a: string[]; // accepted categories
  x?: string[]; // services switched off within accepted categories
  t: number; // when chosen (ms)
}
export interface ConsentState {
  id: string;
  revision: number;
  accepted: string[];
  rejected: string[];
  /** Services that may run (their category is accepted and they were not switched off). */
  services: string[];
  timestamp: string;
  gpc: boolean;
  receipt?: string;
}

type Listener = (state: ConsentState | null) => void;

const COOKIE = 'parley_consent';
const CONSENT_MODE = ['ad_storage', 'analytics_storage', 'ad_user_data', 'ad_personalization', 'functionality_storage', 'personalization_storage'];
const w = window as unknown as Record<string, any>;
const d = document;
// currentScript is null when a tag manager injects the script: then find our tag by its attributes.
const script = (d.currentScript ?? d.querySelector('script[data-site][src*="/banner"]')) as HTMLScriptElement | null;
const site = script?.dataset.site;
const base = script ? new URL(script.src).origin : '';
const gpc = (navigator as unknown as { globalPrivacyControl?: boolean }).globalPrivacyControl === true;
const listeners: Listener[] = [];

let cfg: Config | undefined;
let texts: Texts;
let stored = readCookie();
let receipt: string | undefined;
let root: ShadowRoot | undefined;
let status: HTMLElement | undefined;
let bannerEl: HTMLElement | undefined;
let prefsEl: HTMLElement | undefined;
let returnFocus: HTMLElement | null = null;
let wantPrefs = false;

/** Google Consent Mode v2: through the page's gtag, or a dataLayer push in gtag's own shape. */
function consentMode(command: 'default' | 'update', accepted: string[]): void {
  const gtag =
    typeof w.gtag === 'function'
      ? w.gtag
      : Array.isArray(w.dataLayer)
        ? function () {
            // gtag.js only reads `arguments` objects from the dataLayer, not arrays.
            // eslint-disable-next-line prefer-rest-params
            w.dataLayer.push(arguments);
          }
        : undefined;
  if (!gtag) return;
  const granted = new Set(cfg?.categories.filter((c) => accepted.includes(c.id)).flatMap((c) => c.consentMode));
  const signals: Record<string, string | number> = {};
  for (const s of CONSENT_MODE) signals[s] = granted.has(s) ? 'granted' : 'denied';
  if (command === 'default') signals.wait_for_update = 500;
  gtag('consent', command, signals);
}

function readCookie(): Stored | undefined {
  const m = new RegExp(`(?:^|; )${COOKIE}=([^;]*)`).exec(d.cookie);
  try {
    const s = m && (JSON.parse(decodeURIComponent(m[1]!)) as Stored);
    return s && typeof s.i === 'string' && Array.isArray(s.a) ? s : undefined;
  } catch {
    return undefined;
  }
}

function writeCookie(s: Stored, days: number): void {
  const secure = location.protocol === 'https:' ? '; Secure' : '';
  d.cookie = `${COOKIE}=${encodeURIComponent(JSON.stringify(s))}; Max-Age=${days * 86400}; Path=/; SameSite=Lax${secure}`;
}

/** Expires cookies matching the patterns on this host and every parent domain they may be set on. */
function clearCookies(patterns: string[]): void {
  if (!patterns.length) return;
  const res = patterns.map((p) => new RegExp(`^${p.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*')}$`));
  const parts = location.hostname.split('.');
  const domains = [''];
  for (let i = 0; i < parts.length - 1; i++) domains.push(`; Domain=${parts.slice(i).join('.')}`);
  for (const pair of d.cookie.split('; ')) {
    const name = pair.split('=')[0]!;
    if (name !== COOKIE && res.some((re) => re.test(name))) {
      for (const dom of domains) d.cookie = `${name}=; Max-Age=0; Path=/${dom}`;
    }
  }
}

function uuid(): string {
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6]! & 15) | 64;
  b[8] = (b[8]! & 63) | 128;
  const h = Array.from(b, (x) => (x + 256).toString(16).slice(1)).join('');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

function valid(s: Stored | undefined): s is Stored {
  return !!s && !!cfg && s.r === cfg.revision && Date.now() - s.t < cfg.lifetimeDays * 864e5;
}

function servicesOn(s: Stored): string[] {
  return (cfg?.categories ?? []).filter((c) => s.a.includes(c.id)).flatMap((c) => c.services.map((v) => v.id)).filter((id) => !s.x?.includes(id));
}

function state(): ConsentState | null {
  if (!stored || (cfg && !valid(stored))) return null;
  return {
    id: stored.i,
    revision: stored.r,
    accepted: stored.a.slice(),
    rejected: cfg ? cfg.categories.filter((c) => !stored!.a.includes(c.id)).map((c) => c.id) : [],
    services: servicesOn(stored),
    timestamp: new Date(stored.t).toISOString(),
    gpc,
    receipt,
  };
}

/** Runs `<script type="text/plain" data-category>` of accepted categories by re-inserting them. */
function activate(choice: Stored): void {
  d.querySelectorAll<HTMLScriptElement>('script[type="text/plain"][data-category]').forEach((old) => {
    const service = old.dataset.service;
    if (!choice.a.includes(old.dataset.category!) || (service && choice.x?.includes(service))) return;
    const s = d.createElement('script');
    for (const a of Array.from(old.attributes)) if (a.name !== 'type') s.setAttribute(a.name, a.value);
    if (old.dataset.type) s.type = old.dataset.type;
    s.nonce = old.nonce; // a strict CSP's nonce survives the copy
    s.text = old.text;
    old.replaceWith(s);
  });
}

function apply(s: Stored): void {
  consentMode('update', s.a);
  activate(s);
}

function emit(): void {
  const s = state();
  for (const fn of listeners) {
    try {
      fn(s);
    } catch {
      // a listener's bug must not stop the others
    }
  }
  d.dispatchEvent(new CustomEvent('parley:consent', { detail: s }));
}

/** Posts the record, retrying once with the same Idempotency-Key (a retry never makes a second record). */
function record(action: string, accepted: string[]): void {
  const c = cfg!;
  const on = servicesOn(stored!);
  const body = JSON.stringify({
    site,
    consentId: stored!.i,
    revision: c.revision,
    action,
    accepted,
    rejected: c.categories.filter((k) => !accepted.includes(k.id)).map((k) => k.id),
    services: { accepted: on, rejected: c.categories.flatMap((k) => k.services.map((v) => v.id)).filter((id) => !on.includes(id)) },
    language: lang,
    pageUrl: location.origin + location.pathname,
    gpc,
  });
  const key = uuid();
  const send = (retry: boolean): Promise<void> =>
    fetch(`${base}/v1/consents`, { method: 'POST', headers: { 'Content-Type': 'application/json', 'Idempotency-Key': key }, body, keepalive: true, credentials: 'omit' })
      .then((r) => {
        if (r.status >= 500 && retry) return send(false);
        return r.ok ? r.json().then((j: { receipt: string }) => void (receipt = j.receipt)) : undefined;
      })
      .catch(() => (retry ? send(false) : undefined));
  void send(true);
}

/** The visitor's own records (each choice, the texts it was made under, its signed receipt), or null before any choice. */
function history(): Promise<unknown> {
  if (!stored) return Promise.resolve(null);
  return fetch(`${base}/v1/sites/${encodeURIComponent(site!)}/consents/${stored.i}`, { credentials: 'omit' }).then((r) =>
    r.ok ? r.json() : Promise.reject(new Error(String(r.status))),
  );
}

/** Saves the records as a file the visitor keeps: the receipts in it verify against the published key. */
function downloadRecords(link: HTMLElement): void {
  // The note under the link says a failure (texts of older revisions have none), and goes on the next try.
  if (link.nextElementSibling?.matches('p.g')) link.nextElementSibling.remove();
  void history().then(
    (h) => {
      const a = d.createElement('a');
      a.href = URL.createObjectURL(new Blob([JSON.stringify(h, null, 2)], { type: 'application/json' }));
      a.download = `consent-${stored!.i}.json`;
      a.click();
      setTimeout(() => URL.revokeObjectURL(a.href), 1000);
    },
    () => {
      if (!texts.recordsFailed) return;
      const p = d.createElement('p');
      p.className = 'g';
      p.setAttribute('role', 'alert');
      p.textContent = texts.recordsFailed;
      link.after(p);
    },
  );
}

function choose(action: string, accepted: string[], excluded: string[] = []): void {
  const c = cfg!;
  const before = stored && valid(stored) ? stored.a : [];
  const acc = c.categories.filter((k) => k.required || accepted.includes(k.id)).map((k) => k.id);
  if (action === 'custom' && before.some((id) => !acc.includes(id)) && acc.every((id) => before.includes(id))) action = 'withdraw';
  stored = { i: stored?.i ?? uuid(), r: c.revision, a: acc, x: excluded, t: Date.now() };
  receipt = undefined;
  writeCookie(stored, c.lifetimeDays);
  // Withdrawal: what was allowed and is no longer loses its cookies now, not at their expiry.
  for (const k of c.categories) {
    const off = acc.includes(k.id) ? [] : k.cookies;
    clearCookies([...off, ...k.services.filter((v) => !acc.includes(k.id) || excluded.includes(v.id)).flatMap((v) => v.cookies)]);
  }
  apply(stored);
  closePrefs();
  hideBanner();
  status!.textContent = texts.saved;
  record(action, acc);
  emit();
}

const esc = (s: string) => s.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
const all = () => cfg!.categories.map((k) => k.id);
const allButGpc = () => cfg!.categories.filter((k) => !(gpc && k.offUnderGpc)).map((k) => k.id);
const acceptAll = () => choose(gpc && allButGpc().length < all().length ? 'gpc' : 'accept_all', allButGpc());
const rejectAll = () => choose('reject_all', []);

function buttons(save: boolean): string {
  return `<div class="a"><button type="button" data-a="y">${esc(texts.acceptAll)}</button><button type="button" data-a="n">${esc(texts.rejectAll)}</button><button type="button" data-a="${save ? 's' : 'p'}">${esc(save ? texts.save : texts.preferences)}</button></div>`;
}

function mount(): ShadowRoot {
  if (root) return root;
  const host = d.createElement('div');
  host.id = 'parley-consent';
  for (const [k, v] of Object.entries(cfg!.theme.variables)) host.style.setProperty(k, v);
  root = host.attachShadow({ mode: 'open' });
  // Constructable sheets are not subject to a CSP's style-src; older browsers get a <style>.
  if ('adoptedStyleSheets' in root && w.CSSStyleSheet?.prototype.replaceSync) {
    const sheet = new CSSStyleSheet();
    sheet.replaceSync(CSS);
    root.adoptedStyleSheets = [sheet];
  } else {
    root.innerHTML = `<style>${CSS}</style>`;
  }
  root.addEventListener('click', (e) => {
    const a = (e.target as HTMLElement).closest('[data-a]')?.getAttribute('data-a');
    if (a === 'y') acceptAll();
    else if (a === 'n') rejectAll();
    else if (a === 'p') openPrefs((e.target as HTMLElement).closest('button'));
    else if (a === 's') {
      const boxes = Array.from(prefsEl!.querySelectorAll<HTMLInputElement>('input'));
      choose(
        'custom',
        boxes.filter((i) => !i.dataset.k && i.checked).map((i) => i.value),
        boxes.filter((i) => i.dataset.k && !i.checked).map((i) => i.value),
      );
    }
    else if (a === 'x') closePrefs();
    else if (a === 'h') downloadRecords((e.target as HTMLElement).closest('button')!);
  });
  // A polite live region that outlives the dialogs, so "saved" is announced after they close.
  status = d.createElement('div');
  status.className = 'sr';
  status.setAttribute('role', 'status');
  root.appendChild(status);
  d.body.appendChild(host);
  return root;
}

function section(cls: string, role: string, id: string, inner: string): HTMLElement {
  const el = d.createElement('div');
  el.className = cls;
  el.setAttribute('role', 'dialog');
  el.setAttribute('aria-labelledby', `${id}t`);
  el.setAttribute('aria-describedby', `${id}d`);
  if (role) el.setAttribute('aria-modal', role);
  el.dir = rtl ? 'rtl' : 'ltr';
  el.lang = lang;
  el.tabIndex = -1;
  el.innerHTML = inner;
  mount().appendChild(el);
  return el;
}

function showBanner(): void {
  if (bannerEl) return;
  const policy = cfg!.policyUrl ? ` <a href="${esc(cfg!.policyUrl)}" target="_blank" rel="noopener">${esc(texts.policyLabel)}</a>` : '';
  bannerEl = section(
    `b ${cfg!.theme.layout === 'box' ? 'box' : ''}`,
    'false',
    'pb',
    `<h2 id="pbt">${esc(texts.title)}</h2><p id="pbd">${esc(texts.description)}${policy}</p>${gpc ? `<p class="g">${esc(texts.gpcNotice)}</p>` : ''}${buttons(false)}`,
  );
  returnFocus = d.activeElement as HTMLElement | null;
  bannerEl.focus();
}

function hideBanner(): void {
  bannerEl?.remove();
  bannerEl = undefined;
  if (!prefsEl) returnFocus?.focus?.();
}

function openPrefs(opener?: Element | null): void {
  if (!cfg) {
    wantPrefs = true;
    return;
  }
  if (prefsEl) return;
  const prior = stored && valid(stored) ? stored : undefined;
  const on = prior?.a ?? [];
  const rows = cfg.categories
    .map((k) => {
      const t = texts.categories[k.id] ?? { label: k.id, description: '' };
      const checked = k.required || on.includes(k.id) ? ' checked' : '';
      // Services follow their category unless switched off one by one.
      const services = k.services
        .map((v) => `<label class="s"><input type="checkbox" role="switch" value="${v.id}" data-k="${k.id}"${checked && !prior?.x?.includes(v.id) ? ' checked' : ''}${k.required ? ' disabled' : ''}> ${esc(v.name)}</label>`)
        .join('');
      return `<div class="c"><label><input type="checkbox" role="switch" value="${k.id}" aria-describedby="pc-${k.id}"${checked}${k.required ? ' disabled' : ''}> ${esc(t.label)}</label><p id="pc-${k.id}">${esc(t.description)}</p>${services}</div>`;
    })
    .join('');
  const overlay = d.createElement('div');
  overlay.className = 'o';
  const back = opener ?? (d.activeElement as HTMLElement | null);
  mount().appendChild(overlay);
  prefsEl = section(
    'm',
    'true',
    'pp',
    `<h2 id="ppt">${esc(texts.preferences)}</h2><p id="ppd">${esc(texts.description)}</p>${gpc ? `<p class="g">${esc(texts.gpcNotice)}</p>` : ''}${rows}${buttons(true)}${prior && texts.records ? `<button type="button" class="l" data-a="h">${esc(texts.records)}</button>` : ''}<button type="button" class="x" data-a="x" aria-label="${esc(texts.close)}">×</button>`,
  );
  overlay.appendChild(prefsEl);
  prefsEl.addEventListener('keydown', (e) => {
    if (e.key === 'Escape') {
      e.preventDefault();
      closePrefs();
    } else if (e.key === 'Tab') {
      // Keeps focus inside the modal dialog.
      const f = Array.from(prefsEl!.querySelectorAll<HTMLElement>('input:not([disabled]),button,a[href]'));
      const i = f.indexOf(root!.activeElement as HTMLElement);
      const next = e.shiftKey ? (i <= 0 ? f.length - 1 : i - 1) : i === f.length - 1 ? 0 : i + 1;
      e.preventDefault();
      f[next]?.focus();
    }
  });
  prefsEl.addEventListener('change', (e) => {
    const box = e.target as HTMLInputElement;
    const all = Array.from(prefsEl!.querySelectorAll<HTMLInputElement>('input'));
    if (box.dataset.k) {
      const cat = all.find((i) => i.value === box.dataset.k && !i.dataset.k);
      if (box.checked && cat) cat.checked = true;
    } else {
      for (const i of all) if (i.dataset.k === box.value) i.checked = box.checked;
    }
  });
  (prefsEl as HTMLElement & { back?: Element | null }).back = back;
  prefsEl.querySelector<HTMLElement>('input:not([disabled])')?.focus();
}

/** Closing without choosing is not consent: the banner stays until a choice is made. */
function closePrefs(): void {
  if (!prefsEl) return;
  const back = (prefsEl as HTMLElement & { back?: HTMLElement | null }).back;
  prefsEl.parentElement!.remove();
  prefsEl = undefined;
  if (back?.isConnected && back.focus) back.focus();
  else if (bannerEl) bannerEl.focus();
}

let lang = 'en';
let rtl = false;

function pickLanguage(c: Config): void {
  const wanted = [d.documentElement.lang, ...(navigator.languages ?? [])].filter(Boolean).map((l) => l.toLowerCase());
  const keys = Object.keys(c.texts);
  for (const l of wanted) {
    const hit = keys.find((k) => k.toLowerCase() === l) ?? keys.find((k) => k.toLowerCase() === l.split('-')[0]);
    if (hit) {
      lang = hit;
      break;
    }
    lang = c.defaultLanguage;
  }
  if (!keys.includes(lang)) lang = c.defaultLanguage;
  texts = c.texts[lang]!;
  rtl = /^(ar|he|fa|ur|yi|ps|dv|ckb)\b/.test(lang);
}

function start(c: Config): void {
  cfg = c;
  pickLanguage(c);
  if (valid(stored)) {
    apply(stored);
    emit();
  } else {
    if (stored) consentMode('update', []);
    showBanner();
  }
  if (wantPrefs) openPrefs();
}

w.Parley = w.Parley || {};
w.Parley.consent = {
  get: state,
  on(event: string, fn: Listener) {
    if (event === 'change') listeners.push(fn);
    return () => listeners.splice(listeners.indexOf(fn) >>> 0, 1);
  },
  showPreferences: () => openPrefs(),
  history,
};

// Before anything else the page may run: everything is denied until the visitor chooses.
consentMode('default', []);

d.addEventListener('click', (e) => {
  const opener = (e.target as Element).closest?.('[data-parley-consent-open]');
  if (opener) {
    e.preventDefault();
    openPrefs(opener);
  }
});

if (site) {
  // no-cache: revalidate by ETag every time, so a new revision reaches returning visitors at once.
  fetch(`${base}/v1/sites/${encodeURIComponent(site)}/consent/config`, { cache: 'no-cache', credentials: 'omit' })
    .then((r) => (r.ok ? r.json() : Promise.reject(new Error(String(r.status)))))
    .then((c: Config) => (d.body ? start(c) : d.addEventListener('DOMContentLoaded', () => start(c))))
    .catch(() => undefined); // no config, no banner: the page keeps working with nothing activated
}
