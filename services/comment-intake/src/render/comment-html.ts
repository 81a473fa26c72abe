/**
 * Comment text → safe HTML. Pure and dependency-free, so the embed widget bundles the very same
 * function. Everything is escaped; the only markup produced is `<p>`, `<br>` and links made from
 * bare http(s) URLs. A comment can therefore never carry tags, attributes, scripts or
 * `javascript:` URLs into a page.
 */
const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c] ?? c);
}

// A URL runs until whitespace or a character that cannot appear unescaped in one.
const URL_RE = /\bhttps?:\/\/[^\s<>"'`]+/gi;
// Punctuation that usually ends a sentence rather than the URL.
const TRAILING = /[.,;:!?)\]}]+$/;

function linkify(line: string): string {
  let out = '';
  let last = 0;
  for (const match of line.matchAll(URL_RE)) {
    let url = match[0];
    const trail = TRAILING.exec(url)?.[0] ?? '';
    // Keep a closing parenthesis that balances one inside the URL (Wikipedia links).
    const keep = trail.startsWith(')') && (url.match(/\(/g)?.length ?? 0) > (url.slice(0, -trail.length).match(/\)/g)?.length ?? 0) ? 1 : 0;
    url = url.slice(0, url.length - trail.length + keep);
    const start = match.index;
    out += escapeHtml(line.slice(last, start));
    if (isHttpUrl(url)) {
      const safe = escapeHtml(url);
      out += `<a href="${safe}" rel="nofollow ugc noopener" target="_blank">${safe}</a>`;
    } else {
      out += escapeHtml(url);
    }
    last = start + url.length;
  }
  return out + escapeHtml(line.slice(last));
}

function isHttpUrl(value: string): boolean {
  try {
    const u = new URL(value);
    return u.protocol === 'http:' || u.protocol === 'https:';
  } catch {
    return false;
  }
}

/** Paragraphs on blank lines, `<br>` on single newlines, links for bare http(s) URLs. */
export function renderCommentHtml(text: string): string {
  return text
    .replace(/\r\n?/g, '\n')
    .split(/\n{2,}/)
    .map((para) => para.trim())
    .filter(Boolean)
    .map((para) => `<p>${para.split('\n').map(linkify).join('<br>')}</p>`)
    .join('');
}
