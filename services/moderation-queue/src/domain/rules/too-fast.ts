import type { Rule } from './rule';

/** Nobody reads an article and writes a reply in under the site's minimum seconds. */
export const tooFast: Rule = ({ comment, site }) => {
  const min = site.settings.comments.minSubmitSeconds * 1000;
  const elapsed = comment.signals.elapsedMs;
  if (min === 0 || elapsed === null || elapsed >= min) return undefined;
  return { code: 'TOO_FAST', outcome: 'spam', detail: `submitted ${elapsed} ms after the form loaded (minimum ${min} ms)` };
};
