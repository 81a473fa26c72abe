import type { CandidateComment } from '../rules/rule';
import { fold, hostOf, links, words } from '../text/normalise';

const MAX_FEATURES = 400;

/**
 * What the classifier sees of a comment: its distinct words, the domains it links to, and the
 * form's signals, as prefixed tokens. Nothing leaves the process and nothing personal is kept:
 * words and hosts only, never the author's hashes.
 */
export function features(comment: Pick<CandidateComment, 'text' | 'author' | 'signals'>): string[] {
  const out = new Set<string>();
  for (const w of words(comment.text)) if (w.length >= 2 && w.length <= 30) out.add(w);
  const found = links(comment.text);
  out.add(found.length >= 3 ? 'links:3+' : `links:${found.length}`);
  for (const l of found) {
    const host = hostOf(l);
    if (!host) continue;
    out.add(`host:${host}`);
    out.add(`tld:${host.slice(host.lastIndexOf('.') + 1)}`);
  }
  const site = comment.author.website ? hostOf(comment.author.website) : undefined;
  out.add(site ? 'website:yes' : 'website:no');
  if (site) out.add(`host:${site}`);
  for (const w of words(comment.author.name)) out.add(`name:${w}`);
  if (words(comment.author.name).length >= 4) out.add('name:long');
  const { elapsedMs, formToken, honeypot } = comment.signals;
  if (honeypot) out.add('sig:honeypot');
  if (formToken !== 'valid') out.add(`sig:token-${formToken}`);
  if (elapsedMs !== null) out.add(elapsedMs < 10_000 ? 'sig:fast' : elapsedMs < 60_000 ? 'sig:quick' : 'sig:slow');
  const letters = comment.text.replace(/[^\p{L}]/gu, '');
  if (letters.length >= 20 && letters.replace(/[^\p{Lu}]/gu, '').length / letters.length > 0.5) out.add('shape:caps');
  if (/[$€£]\s?\d|\d\s?(?:usd|eur|dollars?)\b/i.test(fold(comment.text))) out.add('shape:money');
  if (/(.)\1{4,}|!{3,}/u.test(comment.text)) out.add('shape:repeat');
  if (comment.text.length < 25) out.add('shape:short');
  return [...out].slice(0, MAX_FEATURES);
}
