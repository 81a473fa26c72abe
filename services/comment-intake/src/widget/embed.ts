/**
 * embed.js: the comment widget under an article. Publishers load it with
 *   <div id="parley-comments"></div>
 *   <script src="https://comments.example.org/embed.js" data-site="…" data-thread="…" async></script>
 * Dependency-free; it touches the host page only through one shadow root (on #parley-comments)
 * and stores nothing unless the reader may and wants it (see `allowed`).
 */
import type { AuthorCommentView, PublicComment, ThreadPage } from '@parley/shared';
import { en, type Strings } from './i18n/en';
import { pickLanguage } from './i18n/pick';
import { renderText, link, safeHref } from './text';
import { checkComment, cleanValue, type FieldName, type FieldProblem } from './validate';
import { STYLES } from './widget.styles';

interface Settings {
  status: string;
  comments: { maxLength: number; maxDepth: number; editWindowMinutes: number; requireEmail: boolean; language: string };
}
/** One of the reader's own comments: id, author token, thread, parent, name, text, created. */
interface Mine {
  i: string;
  t: string;
  h: string;
  p: string | null;
  n: string;
  x: string;
  c: string;
}
/** What the widget may keep in localStorage: the reader's name, email, website and own comments. */
interface Saved {
  n?: string;
  e?: string;
  w?: string;
  m?: Mine[];
}
interface Consent {
  get(): { accepted: string[] } | null;
  on(event: 'change', fn: () => void): unknown;
}
interface Reply {
  status: number;
  body: any;
}

const d = document;
const win = window as unknown as { Parley?: { consent?: Consent } };
const script = d.currentScript as HTMLScriptElement | null;
const FIELDS: FieldName[] = ['text', 'name', 'email', 'website'];

function h<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Record<string, string> = {}, ...kids: (Node | string)[]): HTMLElementTagNameMap[K] {
  const e = d.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  e.append(...kids);
  return e;
}

const fill = (s: string, vars: Record<string, string | number>) => s.replace(/\{(\w+)\}/g, (_, k: string) => String(vars[k] ?? ''));
const randomKey = () => Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => (b + 256).toString(16).slice(1)).join('');
const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A thread id from a page address: its path as a URL-safe slug. */
function threadFrom(url: string): string {
  const u = new URL(url);
  const slug = (u.pathname + u.search).replace(/[^A-Za-z0-9._~-]+/g, '-').replace(/^[^A-Za-z0-9]+|-+$/g, '');
  return (slug || 'home').slice(0, 200);
}

if (script?.dataset.site) boot(script, script.dataset.site);

function boot(tag: HTMLScriptElement, site: string): void {
  const ds = tag.dataset;
  const api = new URL('.', tag.src).href;
  const pageUrl = (d.querySelector<HTMLLinkElement>('link[rel="canonical"]')?.href || location.href).split('#')[0]!;
  const thread = ds.thread || threadFrom(pageUrl);
  const sitePath = `v1/sites/${encodeURIComponent(site)}`;
  const threadPath = `${sitePath}/threads/${encodeURIComponent(thread)}`;
  const storeKey = `parley:${site}`;

  let host = d.getElementById('parley-comments');
  if (!host) {
    host = h('div', { id: 'parley-comments' });
    if (tag.parentNode && tag.parentNode !== d.head) tag.after(host);
    else d.body.append(host);
  }
  if (host.shadowRoot) return; // the script was included twice
  const root = host.attachShadow({ mode: 'open' });
  // `all: initial` on the host leaves `direction` inherited from the page: set it here.
  const wrap = h('div', { class: 'w', dir: 'ltr' });
  // Constructable sheets are not subject to a page's CSP style-src; older browsers get a <style>.
  if ('adoptedStyleSheets' in root && typeof CSSStyleSheet.prototype.replaceSync === 'function') {
    const sheet = new CSSStyleSheet();
    sheet.replaceSync(STYLES);
    root.adoptedStyleSheets = [sheet];
  } else root.append(h('style', {}, STYLES));
  root.append(wrap);

  let S: Strings = en;
  let lang = 'en';
  let cfg: Settings;
  let order: 'oldest' | 'newest' = 'oldest';
  let cursor: string | null = null;
  let total = 0;
  let saved: Saved = {};
  /** Without a banner: whether the reader ticked "save" (or did on an earlier visit). */
  let optIn = false;
  let formToken: Promise<string | undefined> | undefined;
  let tokenExpires = 0;
  /** The site's minimum time from showing the form to submitting it: a quick typist waits, not gets held. */
  let earliest = 0;
  let rtf: Intl.RelativeTimeFormat;
  let dtf: Intl.DateTimeFormat;
  const own = new Map<string, Mine & { pending: boolean; until: number }>();
  const keys = new WeakMap<HTMLFormElement, { key: string; fields: string }>();
  const list = h('ol', { class: 'l' });
  const count = h('h2', { id: 'pc-h', tabindex: '-1' });
  const live = h('div', { class: 'sr', role: 'status', 'aria-live': 'polite' });
  const more = h('button', { type: 'button', class: 's mo', 'data-act': 'more', hidden: '' });
  let mainForm: HTMLFormElement | undefined;
  /** Where the main form goes: the form, or "Comments are closed." */
  let formSlot: HTMLElement;
  /** The thread takes no comments (the page or the form token said so): a moderator closed it, or it aged. */
  let shut = false;

  // ---- theme -------------------------------------------------------------------------------
  const dark = matchMedia('(prefers-color-scheme: dark)');
  const theme = () => wrap.classList.toggle('dk', ds.theme === 'dark' || (ds.theme !== 'light' && dark.matches));
  theme();
  dark.addEventListener?.('change', theme);

  // ---- storage, only with consent -----------------------------------------------------------
  const bannerOnPage = () => !!win.Parley?.consent || !!d.querySelector('script[src*="banner"][data-site]');
  const functional = () => !!win.Parley?.consent?.get()?.accepted.includes('functional');
  /** With a banner on the page its `functional` category decides; without one, the reader's opt-in. */
  const allowed = () => (bannerOnPage() ? functional() : optIn);
  function readSaved(): Saved {
    if (bannerOnPage() && !functional()) return {};
    try {
      const s = JSON.parse(localStorage.getItem(storeKey) || 'null') as Saved | null;
      optIn = !!s;
      return s ?? {};
    } catch {
      return {};
    }
  }
  function persist(): void {
    try {
      if (allowed()) localStorage.setItem(storeKey, JSON.stringify(saved));
      else localStorage.removeItem(storeKey);
    } catch {
      // storage blocked: the reader's comment stays for this page view only
    }
  }
  /** "Save my name" rows show only where storing is allowed. */
  const showSaveRows = (scope: ParentNode) => scope.querySelectorAll<HTMLElement>('.sv').forEach((row) => (row.hidden = bannerOnPage() && !functional()));
  function consentChanged(): void {
    if (bannerOnPage() && !functional()) {
      saved = {};
      persist();
    }
    showSaveRows(root);
  }
  win.Parley?.consent?.on('change', consentChanged);
  d.addEventListener('parley:consent', consentChanged);

  // ---- network ------------------------------------------------------------------------------
  async function call(path: string, init: RequestInit = {}): Promise<Reply> {
    const r = await fetch(api + path, { credentials: 'omit', ...init });
    let body: any = null;
    try {
      if (r.status !== 204 && r.status !== 304) body = await r.json();
    } catch {
      // not JSON: the status alone tells
    }
    return { status: r.status, body };
  }
  const json = (method: string, body: unknown, extra: Record<string, string> = {}): RequestInit => ({
    method,
    headers: { 'Content-Type': 'application/json', ...extra },
    body: JSON.stringify(body),
  });
  function getToken(): Promise<string | undefined> {
    if (!formToken || Date.now() > tokenExpires) {
      formToken = call(`${threadPath}/form-token`, { cache: 'no-store' })
        .then((r) => {
          if (r.status !== 200) return undefined;
          tokenExpires = Date.parse(r.body.expiresAt) - 60_000;
          earliest = Date.now() + r.body.minSubmitSeconds * 1000;
          setShut(r.body.closed);
          return r.body.token as string;
        })
        .catch(() => undefined);
    }
    return formToken;
  }

  // ---- announcements and time -------------------------------------------------------------
  function announce(text: string): void {
    live.textContent = '';
    setTimeout(() => (live.textContent = text), 50);
  }
  const UNITS: [Intl.RelativeTimeFormatUnit, number][] = [['year', 31_536_000], ['month', 2_592_000], ['week', 604_800], ['day', 86_400], ['hour', 3_600], ['minute', 60]];
  function ago(iso: string): string {
    const s = (Date.parse(iso) - Date.now()) / 1000;
    for (const [unit, n] of UNITS) if (Math.abs(s) >= n) return rtf.format(Math.trunc(s / n), unit);
    return rtf.format(0, 'second');
  }
  setInterval(() => root.querySelectorAll('time').forEach((t) => (t.textContent = ago(t.dateTime))), 60_000);

  // ---- comments -----------------------------------------------------------------------------
  const byId = (id: string) => list.querySelector<HTMLLIElement>(`li[data-id="${CSS.escape(id)}"]`);
  const level = (li: Element) => {
    let n = 0;
    for (let p = li.parentElement?.closest('li.c'); p; p = p.parentElement?.closest('li.c')) n++;
    return n;
  };
  const closed = () => shut || cfg.status !== 'active';

  /** Shows the form or "Comments are closed." (and reply buttons or none) as the server says. */
  function setShut(value = false): void {
    if (value === shut) return;
    shut = value;
    mainForm = closed() ? undefined : commentForm(null);
    if (shut) list.querySelectorAll('form.f').forEach((f) => f.remove());
    const next = mainForm ?? h('p', {}, S.closed);
    if (shut && formSlot.isConnected) announce(S.closed); // closed while the reader was on the page
    formSlot.replaceWith(next);
    formSlot = next;
    list.querySelectorAll<HTMLLIElement>('li.c').forEach(actions);
  }

  function showCount(): void {
    const plural = new Intl.PluralRules(lang).select(total) as keyof Strings['count'];
    count.textContent = fill((total ? S.count[plural] : S.count.zero) ?? S.count.other, { n: total });
  }

  function commentEl(c: Pick<PublicComment, 'id' | 'author' | 'text' | 'createdAt'>): HTMLLIElement {
    const href = c.author.website ? safeHref(c.author.website) : undefined;
    const name = href ? link(href, c.author.name) : h('span', {}, c.author.name);
    name.classList.add('n');
    const time = h('time', { datetime: c.createdAt, title: dtf.format(new Date(c.createdAt)) }, ago(c.createdAt));
    const text = h('div', { class: 't' });
    renderText(text, c.text);
    const art = h('article', { tabindex: '-1', 'aria-label': c.author.name }, h('div', { class: 'm' }, name, time), text, h('div', { class: 'a' }), h('div'));
    const li = h('li', { class: 'c', 'data-id': c.id, 'data-name': c.author.name }, art, h('ol', { class: 'r' }));
    actions(li);
    return li;
  }

  /** The buttons a comment offers this reader: reply, report (others'); on their own, delete (in time) or erase (after) and a download of its data. */
  function actions(li: HTMLLIElement): void {
    const id = li.dataset.id!;
    const mine = own.get(id);
    const box = li.querySelector(':scope > article > .a')!;
    const meta = li.querySelector(':scope > article > .m')!;
    meta.querySelector('.pd')?.remove();
    if (mine?.pending) meta.append(h('span', { class: 'pd' }, S.pending));
    const btn = (act: string, label: string, aria?: string) => h('button', { type: 'button', 'data-act': act, ...(aria ? { 'aria-label': aria } : {}) }, label);
    box.replaceChildren();
    if (!closed() && !mine?.pending) box.append(btn('reply', S.reply, fill(S.replyTo, { name: li.dataset.name! })));
    if (!mine && !li.hasAttribute('data-pending')) box.append(btn('report', S.report));
    // Erasure is a reader's right whatever the edit window says; deleting is the lighter thing inside it.
    if (mine) box.append(mine.until > Date.now() ? btn('delete', S.del) : btn('erase', S.erase), btn('export', S.download));
  }

  function tree(c: PublicComment): HTMLLIElement {
    const li = commentEl(c);
    li.lastElementChild!.append(...c.replies.filter((r) => !byId(r.id)).map(tree));
    return li;
  }

  /** Puts a comment where it belongs: under its parent (down to the site's depth) or at the top level. */
  function place(li: HTMLLIElement, parentId: string | null, top: boolean): boolean {
    if (!parentId) {
      if (top) list.prepend(li);
      else list.append(li);
      return true;
    }
    const parent = byId(parentId);
    if (!parent) return false;
    if (cfg.comments.maxDepth === 0) {
      parent.after(li);
      return true;
    }
    const host = level(parent) < cfg.comments.maxDepth ? parent : (parent.parentElement!.closest<HTMLLIElement>('li.c') ?? parent);
    host.lastElementChild!.append(li);
    return true;
  }

  /** Changes the list without moving what the reader is looking at. */
  function keepScroll(change: () => void): void {
    const ref = Array.from(root.querySelectorAll('article')).find((a) => a.getBoundingClientRect().bottom > 0);
    const before = ref?.getBoundingClientRect().top;
    change();
    if (ref?.isConnected && before !== undefined && before < innerHeight) {
      const delta = ref.getBoundingClientRect().top - before;
      if (delta) scrollBy(0, delta);
    }
  }

  function removeComment(id: string): void {
    const li = byId(id);
    if (!li) return;
    if (!own.get(id)?.pending) total = Math.max(0, total - 1);
    keepScroll(() => li.replaceWith(...Array.from(li.lastElementChild!.children)));
    showCount();
  }

  function pendingEl(m: Mine): HTMLLIElement {
    const li = commentEl({ id: m.i, author: { name: m.n, website: null }, text: m.x, createdAt: m.c });
    li.setAttribute('data-pending', '');
    return li;
  }

  async function loadPage(reset: boolean): Promise<void> {
    more.hidden = true;
    const q = `order=${order}${!reset && cursor ? `&cursor=${cursor}` : ''}`;
    let r: Reply;
    try {
      r = await call(`${threadPath}/comments?${q}`, { cache: 'no-cache' });
    } catch {
      r = { status: 0, body: null };
    }
    if (r.status !== 200) {
      announce(S.loadFailed);
      more.hidden = !cursor;
      return;
    }
    const page = r.body as ThreadPage;
    setShut(page.closed);
    if (reset) list.replaceChildren();
    for (const c of page.items) {
      const existing = byId(c.id);
      if (existing && !existing.hasAttribute('data-pending')) continue;
      const li = tree(c);
      if (existing) existing.replaceWith(li);
      else if (!place(li, c.parentId, false)) list.append(li);
    }
    total = page.total;
    cursor = page.nextCursor;
    more.hidden = !cursor;
    showCount();
    for (const m of own.values()) {
      const li = byId(m.i);
      if (li) {
        if (m.pending && !li.hasAttribute('data-pending')) m.pending = false;
        actions(li);
      } else if (m.pending) place(pendingEl(m), m.p, order === 'newest');
    }
  }

  /** The reader's own comments on this thread from an earlier visit: still pending, published, or gone. */
  async function restoreOwn(): Promise<void> {
    const mine = (saved.m ?? []).filter((m) => m.h === thread);
    await Promise.all(
      mine.map(async (m) => {
        const r = await call(`v1/comments/${m.i}`, { headers: { 'X-Author-Token': m.t }, cache: 'no-store' }).catch(() => undefined);
        if (!r) return;
        const view = r.body as AuthorCommentView | null;
        if (r.status === 200 && view && (view.status === 'awaiting moderation' || view.status === 'approved')) {
          own.set(m.i, { ...m, pending: view.status !== 'approved', until: view.deletableUntil ? Date.parse(view.deletableUntil) : 0 });
        } else if (r.status === 404 || r.status === 200) {
          saved.m = saved.m?.filter((x) => x.i !== m.i);
          persist();
        }
      }),
    );
    for (const m of own.values()) {
      const li = byId(m.i);
      if (li) actions(li);
      else if (m.pending) place(pendingEl(m), m.p, order === 'newest');
    }
  }

  /**
   * The reader's pending comments, asked about again now and then: a decision this page's event
   * stream did not carry (a rejection, or an approval pushed by another instance) still shows.
   */
  async function recheck(): Promise<void> {
    for (const m of own.values()) {
      if (!m.pending || !byId(m.i)) continue;
      const r = await call(`v1/comments/${m.i}`, { headers: { 'X-Author-Token': m.t }, cache: 'no-store' }).catch(() => undefined);
      const view = r?.body as AuthorCommentView | null | undefined;
      if (!r || (r.status === 200 && view?.status === 'awaiting moderation') || (r.status !== 200 && r.status !== 404)) continue;
      if (view?.status === 'approved') {
        onLive({ id: m.i, parentId: m.p, author: { name: m.n, website: null }, text: view.text, html: '', createdAt: view.createdAt, replies: [] });
        continue;
      }
      removeComment(m.i);
      own.delete(m.i);
      saved.m = saved.m?.filter((x) => x.i !== m.i);
      persist();
    }
  }

  function onLive(c: PublicComment): void {
    const existing = byId(c.id);
    const mine = own.get(c.id);
    if (mine) mine.pending = false;
    if (existing) {
      if (existing.hasAttribute('data-pending')) {
        existing.replaceWith(tree(c));
        total++;
        showCount();
        announce(S.published);
      }
      return;
    }
    // In oldest-first order a new top-level comment belongs after pages not loaded yet.
    if (!c.parentId && order === 'oldest' && cursor) {
      total++;
      showCount();
      return;
    }
    const li = tree(c);
    let placed = false;
    keepScroll(() => (placed = place(li, c.parentId, order === 'newest')));
    if (!placed) return;
    total++;
    showCount();
    announce(fill(S.newComment, { name: c.author.name }));
  }

  /**
   * After the event stream was interrupted: the first page, fetched again, says what changed
   * meanwhile. What was approved joins the list; what the page covers but no longer holds was
   * removed, and goes.
   */
  async function catchUp(): Promise<void> {
    const r = await call(`${threadPath}/comments?order=${order}`, { cache: 'no-cache' }).catch(() => undefined);
    if (r?.status !== 200) return;
    const page = r.body as ThreadPage;
    setShut(page.closed);
    const present = new Set<string>();
    const walk = (c: PublicComment) => {
      present.add(c.id);
      if (!byId(c.id) || byId(c.id)!.hasAttribute('data-pending')) onLive({ ...c, replies: [] });
      c.replies.forEach(walk);
    };
    page.items.forEach(walk);
    for (const id of removedMeanwhile(page, present)) removeComment(id);
    total = page.total;
    showCount();
  }

  /**
   * Shown comments the refetched first page covers and does not hold. The page holds whole
   * discussions (a top-level comment with all its replies), so it covers the shown top-level
   * comments up to its last one, in the list's order, and every reply under those; all of them
   * when there is no further page. The reader's own pending comments are not the page's to judge.
   */
  function removedMeanwhile(page: ThreadPage, present: Set<string>): string[] {
    const tops = Array.from(list.children).filter((li): li is HTMLLIElement => li.matches('li.c'));
    let covered = page.nextCursor ? -1 : tops.length - 1;
    tops.forEach((li, i) => {
      if (present.has(li.dataset.id!)) covered = Math.max(covered, i);
    });
    const shown = tops.slice(0, covered + 1).flatMap((li) => [li, ...Array.from(li.querySelectorAll<HTMLLIElement>('li.c'))]);
    return shown.filter((li) => !li.hasAttribute('data-pending') && !present.has(li.dataset.id!)).map((li) => li.dataset.id!);
  }

  function listen(): void {
    if (typeof EventSource === 'undefined') return;
    const es = new EventSource(`${api}${threadPath}/events`);
    // The browser reconnects by itself (another instance may answer); events missed meanwhile are fetched.
    let interrupted = false;
    es.addEventListener('error', () => (interrupted = true));
    es.addEventListener('open', () => {
      if (interrupted) void catchUp();
      interrupted = false;
    });
    es.addEventListener('comment', (e) => onLive(JSON.parse((e as MessageEvent<string>).data) as PublicComment));
    es.addEventListener('removed', (e) => removeComment((JSON.parse((e as MessageEvent<string>).data) as { id: string }).id));
    // A moderator closed or reopened the thread: the form goes or comes back without a reload.
    es.addEventListener('closed', (e) => setShut((JSON.parse((e as MessageEvent<string>).data) as { closed: boolean }).closed));
  }

  // ---- forms --------------------------------------------------------------------------------
  let formSeq = 0;
  function field(id: string, name: FieldName, label: string, input: HTMLInputElement | HTMLTextAreaElement): HTMLElement {
    input.id = `${id}-${name}`;
    input.name = name;
    return h('div', {}, h('label', { for: input.id }, label), input, h('p', { class: 'er', id: `${id}-${name}-e`, hidden: '' }));
  }

  function commentForm(parentId: string | null, parentName?: string): HTMLFormElement {
    const id = `f${++formSeq}`;
    const input = (type: string, auto: string, value = '') => {
      const i = h('input', { type, autocomplete: auto, spellcheck: 'false' });
      i.value = value;
      return i;
    };
    const title = h('h3', { id: `${id}-t` }, parentName ? fill(S.replyTo, { name: parentName }) : S.leave);
    const text = h('textarea', { rows: '4', required: '' });
    const name = input('text', 'name', saved.n);
    name.required = true;
    const email = input('email', 'email', saved.e);
    email.required = cfg.comments.requireEmail;
    const remember = h('input', { type: 'checkbox', id: `${id}-sv`, name: 'save' });
    remember.checked = !!saved.n;
    const f = h(
      'form',
      { class: 'f', novalidate: '', 'aria-labelledby': `${id}-t`, 'data-parent': parentId ?? '' },
      title,
      field(id, 'text', S.comment, text),
      field(id, 'name', S.name, name),
      field(id, 'email', cfg.comments.requireEmail ? S.email : S.emailOptional, email),
      field(id, 'website', S.website, input('url', 'url', saved.w)),
      // Bots fill every field; people never see this one.
      h('div', { class: 'hp', 'aria-hidden': 'true' }, h('label', { for: `${id}-hp` }, 'Leave empty'), h('input', { id: `${id}-hp`, name: 'hp', tabindex: '-1', autocomplete: 'off' })),
      h('div', { class: 'sv' }, h('label', { class: 'ck', for: remember.id }, remember, S.save)),
      h('div', { class: 'b' }, h('button', { type: 'submit' }, S.post), ...(parentId ? [h('button', { type: 'button', class: 's', 'data-act': 'close' }, S.cancel)] : [])),
      h('p', { class: 'st', role: 'status' }),
    );
    showSaveRows(f);
    f.addEventListener('focusin', () => void getToken(), { once: true });
    f.addEventListener('submit', (e) => {
      e.preventDefault();
      void submit(f);
    });
    return f;
  }

  function showErrors(f: HTMLFormElement, errors: { field: string; message: string }[]): void {
    for (const name of FIELDS) {
      const input = f.elements.namedItem(name) as HTMLInputElement;
      const err = f.querySelector<HTMLElement>(`#${input.id}-e`)!;
      const hit = errors.find((e) => e.field === name);
      err.hidden = !hit;
      err.textContent = hit?.message ?? '';
      if (hit) {
        input.setAttribute('aria-invalid', 'true');
        input.setAttribute('aria-describedby', err.id);
      } else {
        input.removeAttribute('aria-invalid');
        input.removeAttribute('aria-describedby');
      }
    }
    const first = FIELDS.find((n) => errors.some((e) => e.field === n));
    if (first) (f.elements.namedItem(first) as HTMLElement).focus();
  }

  const problemText = (p: FieldProblem) =>
    ({ required: S.required, tooLong: fill(S.tooLong, { n: p.max ?? 0 }), badEmail: S.badEmail, badUrl: S.badUrl, control: S.control })[p.problem];

  async function submit(f: HTMLFormElement): Promise<void> {
    const status = f.querySelector<HTMLElement>('.st')!;
    const button = f.querySelector<HTMLButtonElement>('button[type=submit]')!;
    if (button.disabled) return;
    const value = (n: string) => (f.elements.namedItem(n) as HTMLInputElement).value;
    const v = { text: cleanValue(value('text'), true), name: cleanValue(value('name'), false), email: cleanValue(value('email'), false), website: cleanValue(value('website'), false) };
    const problems = checkComment(v, cfg.comments);
    showErrors(f, problems.map((p) => ({ field: p.field, message: problemText(p) })));
    if (problems.length) {
      status.textContent = S.fix;
      return;
    }
    const parentId = f.dataset.parent || null;
    // A retry of the same comment — automatic, or by pressing the button again — reuses the key;
    // an edited comment is a new request.
    const fields = JSON.stringify(v);
    const kept = keys.get(f);
    const key = kept?.fields === fields ? kept.key : randomKey();
    keys.set(f, { key, fields });
    button.disabled = true;
    status.textContent = S.sending;
    const body = {
      text: v.text,
      name: v.name,
      email: v.email || null,
      website: v.website || null,
      parentId,
      pageUrl: safeHref(pageUrl) ? pageUrl : null,
      pageTitle: cleanValue(ds.title || d.title, false).slice(0, 300) || null,
      formToken: (await getToken()) ?? null,
      hp: value('hp') || null,
    };
    await wait(earliest - Date.now());
    let r: Reply | undefined;
    for (let attempt = 0; attempt < 3; attempt++) {
      if (attempt) await wait(500 * 2 ** attempt);
      r = await call(`${threadPath}/comments`, json('POST', body, { 'Idempotency-Key': key })).catch(() => undefined);
      if (r && ![502, 503, 504].includes(r.status)) break;
    }
    button.disabled = false;
    if (!r || r.status >= 500) {
      status.textContent = S.offline;
      return;
    }
    keys.delete(f);
    if (r.status === 200 || r.status === 202) {
      optIn = (f.elements.namedItem('save') as HTMLInputElement).checked;
      const m: Mine = { i: r.body.id, t: r.body.authorToken, h: thread, p: parentId, n: v.name, x: v.text, c: new Date().toISOString() };
      own.set(m.i, { ...m, pending: true, until: Date.now() + cfg.comments.editWindowMinutes * 60_000 });
      saved.m = [...(saved.m ?? []).filter((x) => x.i !== m.i), m].slice(-50);
      if (optIn) Object.assign(saved, { n: v.name, e: v.email, w: v.website });
      else saved = { m: saved.m };
      persist();
      const li = pendingEl(m);
      if (!place(li, parentId, order === 'newest')) list.append(li);
      (f.elements.namedItem('text') as HTMLTextAreaElement).value = '';
      status.textContent = '';
      if (parentId) f.remove();
      announce(`${S.posted} ${S.pending}`);
      li.querySelector('article')!.focus();
      return;
    }
    const errors = ((r.body?.errors ?? []) as { path: string; message: string }[]).map((e) => ({ field: e.path.replace(/^body\./, ''), message: e.message }));
    const known = errors.filter((e) => (FIELDS as string[]).includes(e.field));
    showErrors(f, known);
    status.textContent = known.length ? S.fix : (r.body?.detail ?? S.failed);
  }

  function reportForm(id: string): HTMLFormElement {
    const fid = `f${++formSeq}`;
    const reasons = Object.entries(S.reasons).map(([value, label], i) =>
      h('label', { class: 'ck' }, h('input', { type: 'radio', name: 'reason', value, ...(i ? {} : { checked: '' }) }), label),
    );
    const f = h(
      'form',
      { class: 'x', 'aria-labelledby': `${fid}-t` },
      h('fieldset', {}, h('legend', { id: `${fid}-t` }, S.reportWhy), ...reasons),
      h('label', { for: `${fid}-n` }, S.note),
      h('input', { id: `${fid}-n`, name: 'note', maxlength: '500' }),
      h('div', { class: 'b' }, h('button', { type: 'submit' }, S.send), h('button', { type: 'button', class: 's', 'data-act': 'close' }, S.cancel)),
      h('p', { class: 'st', role: 'status' }),
    );
    f.addEventListener('submit', async (e) => {
      e.preventDefault();
      const reason = (f.querySelector('input[name=reason]:checked') as HTMLInputElement).value;
      const note = cleanValue((f.elements.namedItem('note') as HTMLInputElement).value, false) || null;
      const r = await call(`v1/comments/${id}/reports`, json('POST', { reason, note })).catch(() => undefined);
      const message = r?.status === 202 ? S.reported : r?.status === 409 ? S.reportedBefore : S.failed;
      if (r?.status === 202 || r?.status === 409) {
        const done = h('p', { class: 'x', role: 'status', tabindex: '-1' }, message);
        f.replaceWith(done);
        done.focus();
      } else f.querySelector('.st')!.textContent = message;
    });
    return f;
  }

  /** Asks before a delete or an erase; `confirm` names the action its yes-button runs. */
  function confirmPanel(ask: string, yes: string, confirm: string): HTMLElement {
    return h(
      'div',
      { class: 'x', role: 'group', 'aria-label': ask },
      h('p', {}, ask),
      h('div', { class: 'b' }, h('button', { type: 'button', 'data-act': confirm }, yes), h('button', { type: 'button', class: 's', 'data-act': 'close' }, S.cancel)),
      h('p', { class: 'st', role: 'status' }),
    );
  }

  /** Deletes (in the edit window) or erases (any time) one of the reader's comments, then forgets it. */
  async function removeOwn(li: HTMLLIElement, panel: HTMLElement, how: 'delete' | 'erase'): Promise<void> {
    const id = li.dataset.id!;
    const m = own.get(id);
    if (!m) return;
    const headers = { 'X-Author-Token': m.t };
    const r = await (how === 'delete'
      ? call(`v1/comments/${id}`, { method: 'DELETE', headers })
      : call(`v1/comments/${id}/erase`, { method: 'POST', headers })
    ).catch(() => undefined);
    if (r?.status !== (how === 'delete' ? 204 : 200)) {
      panel.querySelector('.st')!.textContent = r?.body?.detail ?? S.failed;
      if (how === 'delete' && r?.status === 403) {
        m.until = 0; // the edit window closed while the page was open: Erase takes Delete's place
        actions(li);
      }
      return;
    }
    removeComment(id);
    own.delete(id);
    saved.m = saved.m?.filter((x) => x.i !== id);
    persist();
    announce(how === 'delete' ? S.deleted : S.erased);
    (mainForm?.querySelector('textarea') ?? count).focus();
  }

  /** Saves what the server holds about one of the reader's comments (as they wrote it) as a file; says so below the buttons when it cannot. */
  async function exportOwn(li: HTMLLIElement): Promise<void> {
    const id = li.dataset.id!;
    const m = own.get(id);
    if (!m) return;
    const r = await call(`v1/comments/${id}/export`, { headers: { 'X-Author-Token': m.t }, cache: 'no-store' }).catch(() => undefined);
    const box = li.querySelector(':scope > article > .a')!;
    if (box.nextElementSibling?.matches('p.st')) box.nextElementSibling.remove();
    if (r?.status !== 200) {
      box.after(h('p', { class: 'st', role: 'status' }, r?.body?.detail ?? S.failed));
      return;
    }
    const a = h('a', { download: `comment-${id}.json`, href: URL.createObjectURL(new Blob([JSON.stringify(r.body, null, 2)], { type: 'application/json' })) });
    a.click();
    setTimeout(() => URL.revokeObjectURL(a.href), 1000);
  }

  // One listener for every button in the widget.
  root.addEventListener('click', (e) => {
    const button = (e.target as Element).closest<HTMLButtonElement>('button[data-act]');
    if (!button) return;
    const act = button.dataset.act!;
    const li = button.closest<HTMLLIElement>('li.c');
    const slot = li?.querySelector<HTMLElement>(':scope > article > div:last-child');
    if (act === 'more') {
      // Focus moves to the first comment of the new page, not to the body when the button hides.
      const before = list.children.length;
      void loadPage(false).then(() => list.children[before]?.querySelector('article')?.focus());
    }
    else if (act === 'close') {
      const panel = button.closest<HTMLElement>('.x,.f')!;
      const back = panel.closest('li.c')?.querySelector<HTMLElement>(`:scope > article > .a [data-act="${panel.dataset.from}"]`);
      panel.remove();
      back?.focus();
    } else if ((act === 'confirm' || act === 'confirm-erase') && li) void removeOwn(li, button.closest('.x')!, act === 'confirm' ? 'delete' : 'erase');
    else if (act === 'export' && li) void exportOwn(li);
    else if (slot && li) {
      const panel =
        act === 'reply' ? commentForm(li.dataset.id!, li.dataset.name)
        : act === 'report' ? reportForm(li.dataset.id!)
        : act === 'erase' ? confirmPanel(S.eraseAsk, S.eraseYes, 'confirm-erase')
        : confirmPanel(S.delAsk, S.delYes, 'confirm');
      panel.dataset.from = act; // focus goes back to this button when the panel closes
      root.querySelectorAll('li.c .x, li.c .f').forEach((p) => p.remove());
      slot.replaceChildren(panel);
      panel.querySelector<HTMLElement>('textarea,input:not([type=radio]),input:checked,button')!.focus();
    }
  });

  // Escape closes an open reply, report, delete or erase panel and returns to the button that opened it.
  root.addEventListener('keydown', (e) => {
    const panel = (e as KeyboardEvent).key === 'Escape' && (e.target as Element).closest('li.c .x, li.c .f');
    if (panel) panel.querySelector<HTMLButtonElement>('[data-act=close]')?.click();
  });

  // ---- start --------------------------------------------------------------------------------
  async function start(): Promise<void> {
    let r: Reply | undefined;
    try {
      r = await call(`${sitePath}/settings`);
    } catch {
      r = undefined;
    }
    if (r?.status !== 200) {
      wrap.append(h('p', { role: 'status' }, S.loadFailed));
      return;
    }
    cfg = r.body as Settings;
    lang = pickLanguage([ds.lang, d.documentElement.lang, cfg.comments.language]);
    if (lang !== 'en') {
      // Other languages are fetched beside the script; English stays if that fails.
      const pack = await call(`embed.i18n.${lang}.json`).catch(() => undefined);
      if (pack?.status === 200) S = { ...en, ...(pack.body as Strings) };
      else lang = 'en';
    }
    wrap.lang = lang;
    rtf = new Intl.RelativeTimeFormat(lang, { numeric: 'auto' });
    dtf = new Intl.DateTimeFormat(lang, { dateStyle: 'long', timeStyle: 'short' });
    saved = readSaved();
    more.textContent = S.more;
    const sort = h('select', { id: 'pc-o' }, h('option', { value: 'oldest' }, S.oldest), h('option', { value: 'newest' }, S.newest));
    sort.addEventListener('change', () => {
      order = sort.value as typeof order;
      void loadPage(true);
    });
    mainForm = closed() ? undefined : commentForm(null);
    formSlot = mainForm ?? h('p', {}, S.closed);
    const section = h(
      'section',
      { 'aria-labelledby': 'pc-h' },
      h('div', { class: 'hd' }, count, h('label', { for: 'pc-o' }, S.sort, sort)),
      list,
      more,
      formSlot,
      live,
    );
    showCount();
    await loadPage(true);
    await restoreOwn();
    // The form was built before those reads: a choice made on the banner meanwhile applies to it too.
    showSaveRows(section);
    wrap.append(section);
    listen();
    setInterval(() => void recheck(), 20_000);
  }

  // Lazy: nothing is fetched until the comments come near the viewport.
  if (typeof IntersectionObserver === 'undefined') void start();
  else {
    const io = new IntersectionObserver(
      (entries) => {
        if (!entries.some((e) => e.isIntersecting)) return;
        io.disconnect();
        void start();
      },
      { rootMargin: '600px 0px' },
    );
    io.observe(host);
  }
}
