import { z } from 'zod';
import { eventSchema } from '../envelope';

/** Most comment ids in one event; a request about more comments is sent as several events. */
export const PRIVACY_REQUEST_MAX_COMMENTS = 1000;

/**
 * Export or erase one person's data everywhere. The subject is named by keyed hashes only, so the
 * stream never carries an email address or a token. comment-intake, which holds the keys, resolves
 * the subject to its comments and names them in `commentIds`: services holding copies find them by
 * id. A request about more comments than one event holds is sent as several, with one requestId.
 */
export const privacyRequestsV1 = eventSchema(
  'privacy.requests',
  1,
  z.object({
    requestId: z.uuid(),
    kind: z.enum(['export', 'erase']),
    subject: z.object({
      emailHash: z.string().regex(/^[0-9a-f]{64}$/).nullable(),
      authorTokenHash: z.string().regex(/^[0-9a-f]{64}$/).nullable(),
      consentId: z.uuid().nullable(),
    }),
    commentIds: z.array(z.uuid()).max(PRIVACY_REQUEST_MAX_COMMENTS).default([]),
    requestedBy: z.object({ kind: z.enum(['operator', 'author']), keyId: z.uuid().nullable() }),
    requestedAt: z.iso.datetime(),
  }),
);
export type PrivacyRequestsV1 = z.infer<typeof privacyRequestsV1>;
