import type { Rule } from './rule';

export const bannedAuthor: Rule = ({ ban }) => {
  if (!ban) return undefined;
  const until = ban.expiresAt ? ` until ${ban.expiresAt.toISOString()}` : '';
  const why = ban.reason ? `: ${ban.reason}` : '';
  return { code: 'BANNED_AUTHOR', outcome: 'rejected', detail: `banned (matched on ${ban.matchedOn})${until}${why}`.slice(0, 500) };
};
