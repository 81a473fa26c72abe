import type { Rule } from './rule';

/** Reports that reached the site's threshold before the comment reached moderation hold it, as they would have later. */
export const reported: Rule = ({ reports, site, policy }) => {
  const threshold = site.settings.moderation.reportThreshold;
  if (!policy.reportsHold || threshold === 0 || reports < threshold) return undefined;
  return { code: 'REPORTED', outcome: 'held', detail: `${reports} report(s) reached the threshold of ${threshold}` };
};
