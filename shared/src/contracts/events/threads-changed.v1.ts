import { z } from 'zod';
import { eventSchema } from '../envelope';

/**
 * A moderator closed a thread (`closedAt` set) or reopened it (`closedAt` null). Moderation owns
 * the thread's open/closed state; comment-intake keeps a copy so it stops showing the form and
 * refuses new comments at once. Consumers apply it only if `closedAt`'s change is newer than what
 * they hold (events of one thread may be redelivered).
 */
export const threadsChangedV1 = eventSchema(
  'threads.changed',
  1,
  z.object({
    threadId: z.string().min(1).max(200),
    closedAt: z.iso.datetime().nullable(),
  }),
);
export type ThreadsChangedV1 = z.infer<typeof threadsChangedV1>;
