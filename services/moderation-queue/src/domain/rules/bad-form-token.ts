import type { Rule } from './rule';

/** A post that did not come through the site's own form (or came far too late to trust its token). */
export const badFormToken: Rule = ({ comment }) =>
  comment.signals.formToken === 'valid' ? undefined : { code: 'BAD_FORM_TOKEN', outcome: 'spam', detail: `form token ${comment.signals.formToken}` };
