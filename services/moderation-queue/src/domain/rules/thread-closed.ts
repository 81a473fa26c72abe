import type { Rule } from './rule';

const DAY_MS = 86_400_000;

/** A closed site, a thread a moderator closed, or one older than the site's close-after-days. */
export const threadClosed: Rule = ({ site, thread, comment }) => {
  if (site.status === 'closed') return { code: 'SITE_CLOSED', outcome: 'rejected', detail: 'the site no longer takes comments' };
  if (thread.closedAt && thread.closedAt <= comment.submittedAt) {
    return { code: 'THREAD_CLOSED', outcome: 'rejected', detail: `thread closed at ${thread.closedAt.toISOString()}` };
  }
  const days = site.settings.comments.closeAfterDays;
  if (days > 0 && comment.submittedAt.getTime() - thread.firstSeenAt.getTime() > days * DAY_MS) {
    return { code: 'THREAD_CLOSED', outcome: 'rejected', detail: `thread older than ${days} day(s)` };
  }
  return undefined;
};
