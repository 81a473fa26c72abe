import type { Rule } from './rule';

/** Only bots fill the field people cannot see. */
export const honeypot: Rule = ({ comment }) =>
  comment.signals.honeypot ? { code: 'HONEYPOT', outcome: 'spam', detail: 'the hidden field was filled in' } : undefined;
