import { z } from 'zod';
import { eventSchema } from '../envelope';

/**
 * Export or erase one person's data everywhere. The subject is named by keyed hashes only, so the
 * stream never carries an email address or a token.
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
    requestedBy: z.object({ kind: z.enum(['operator', 'author']), keyId: z.uuid().nullable() }),
    requestedAt: z.iso.datetime(),
  }),
);
export type PrivacyRequestsV1 = z.infer<typeof privacyRequestsV1>;
