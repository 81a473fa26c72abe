import type { Rule } from './rule';

export const firstTimeAuthor: Rule = ({ site, author }) =>
  site.settings.moderation.mode === 'first-time' && !author.trusted
    ? { code: 'FIRST_TIME_AUTHOR', outcome: 'held', detail: 'the site reviews authors until one of their comments is approved' }
    : undefined;
