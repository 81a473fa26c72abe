import { links } from '../text/normalise';
import type { Rule } from './rule';

export const tooManyLinks: Rule = ({ comment, site }) => {
  const n = links(comment.text).length;
  const limit = site.settings.moderation.linkLimit;
  return n > limit ? { code: 'TOO_MANY_LINKS', outcome: 'held', detail: `${n} links (limit ${limit})` } : undefined;
};
