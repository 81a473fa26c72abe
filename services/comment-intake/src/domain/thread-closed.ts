/** What decides whether a thread takes comments: its moderated close and its age. */
export interface ThreadOpenness {
  /** Set while a moderator has the thread closed. */
  closedAt: Date | null;
  /** When intake first saw the thread; close-after-days counts from here. */
  createdAt: Date;
}

const DAY_MS = 86_400_000;

/**
 * A thread is closed when a moderator closed it or when it is older than the site's close-after-days
 * (0: never by age). A thread intake has not seen yet is open. The one rule behind the submit's 409,
 * the form token's and the thread page's `closed`.
 */
export function isThreadClosed(thread: ThreadOpenness | undefined, closeAfterDays: number, now: Date): boolean {
  if (!thread) return false;
  if (thread.closedAt) return true;
  return closeAfterDays > 0 && now.getTime() - thread.createdAt.getTime() > closeAfterDays * DAY_MS;
}
