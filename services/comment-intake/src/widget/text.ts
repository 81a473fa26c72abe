/**
 * Comment text → DOM nodes, built with text nodes and `createElement` only (never `innerHTML`),
 * so no comment can carry markup or script into the page whatever it contains. Paragraphs on
 * blank lines, line breaks on single newlines, bare http(s) URLs as nofollow links — the same
 * shape as the server's `html` field.
 */
const URL_RE = /\bhttps?:\/\/[^\s<>"'`]+/gi;
const TRAILING = /[.,;:!?)\]}]+$/;

/** An http(s) URL as a link target, or undefined for anything else (javascript:, data:, …). */
export function safeHref(value: string): string | undefined {
  try {
    const u = new URL(value);
    return u.protocol === 'http:' || u.protocol === 'https:' ? u.href : undefined;
  } catch {
    return undefined;
  }
}

export function link(href: string, label: string): HTMLAnchorElement {
  const a = document.createElement('a');
  a.href = href;
  a.rel = 'nofollow ugc noopener';
  a.target = '_blank';
  a.textContent = label;
  return a;
}

function appendLine(p: HTMLElement, line: string): void {
  let last = 0;
  for (const m of line.matchAll(URL_RE)) {
    let url = m[0];
    const trail = TRAILING.exec(url)?.[0] ?? '';
    // A closing parenthesis that balances one inside the URL belongs to it (Wikipedia links).
    const keep = trail.startsWith(')') && (url.match(/\(/g)?.length ?? 0) > (url.slice(0, -trail.length).match(/\)/g)?.length ?? 0) ? 1 : 0;
    url = url.slice(0, url.length - trail.length + keep);
    const href = safeHref(url);
    if (!href) continue;
    p.append(line.slice(last, m.index), link(href, url));
    last = m.index + url.length;
  }
  p.append(line.slice(last));
}

export function renderText(parent: HTMLElement, text: string): void {
  for (const para of text.replace(/\r\n?/g, '\n').split(/\n{2,}/)) {
    const lines = para.trim();
    if (!lines) continue;
    const p = document.createElement('p');
    lines.split('\n').forEach((line, i) => {
      if (i) p.append(document.createElement('br'));
      appendLine(p, line);
    });
    parent.append(p);
  }
}
