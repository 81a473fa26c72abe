import { createHash } from 'node:crypto';

/** Lower case without accents (NFKD, combining marks dropped): "Café" and "CAFE" compare equal. */
export function fold(text: string): string {
  // The pipeline folds one comment's text several times in a row (features, hash, word lists).
  if (text === lastFolded.text) return lastFolded.folded;
  const folded = text.normalize('NFKD').replace(/\p{M}+/gu, '').toLowerCase();
  lastFolded = { text, folded };
  return folded;
}
let lastFolded = { text: '', folded: '' };

/** Words of folded text: runs of letters and digits. */
export function words(text: string): string[] {
  return fold(text).match(/[\p{L}\p{N}]+/gu) ?? [];
}

/** Key of the duplicate check: punctuation, case, accents and spacing do not make a comment new. */
export function textHash(text: string): string {
  return createHash('sha256').update(words(text).join(' ')).digest('hex');
}

const URL_RE = /\b(?:https?:\/\/|www\.)[^\s<>"')\]]+/giu;

/** Links in a text: explicit URLs and bare `www.` hosts. */
export function links(text: string): string[] {
  // Sentence punctuation after a link is not part of it.
  return (text.match(URL_RE) ?? []).map((l) => l.replace(/[.,;:!?]+$/u, ''));
}

/** The host of a link or URL, lower case, without `www.`; undefined when it does not parse. */
export function hostOf(link: string): string | undefined {
  try {
    const u = new URL(/^https?:\/\//i.test(link) ? link : `http://${link}`);
    return u.hostname.toLowerCase().replace(/^www\./, '') || undefined;
  } catch {
    return undefined;
  }
}

export interface WordMatcher {
  /** The first listed word or phrase found in `text` as a whole word, or undefined. */
  find(text: string): string | undefined;
}

/**
 * Matches whole words and phrases, case- and accent-insensitively: "ass" never fires inside
 * "class", and "Viágra" fires for "viagra". Phrases match across any run of non-letters.
 */
export function wordMatcher(list: readonly string[]): WordMatcher {
  const entries = [...new Set(list.map((w) => words(w).join(' ')).filter((w) => w.length > 0))];
  if (entries.length === 0) return { find: () => undefined };
  // Longest first, so a phrase wins over a word it starts with.
  entries.sort((a, b) => b.length - a.length);
  const body = entries.map((e) => e.split(' ').map(escape).join('[^\\p{L}\\p{N}]+')).join('|');
  const re = new RegExp(`(?<![\\p{L}\\p{N}])(?:${body})(?![\\p{L}\\p{N}])`, 'u');
  return {
    find(text) {
      const m = re.exec(fold(text));
      return m ? words(m[0]).join(' ') : undefined;
    },
  };
}

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
