import type { Rule } from './rule';

export const preModeration: Rule = ({ site }) =>
  site.settings.moderation.mode === 'pre' ? { code: 'PRE_MODERATION', outcome: 'held', detail: 'the site reviews every comment before it appears' } : undefined;
