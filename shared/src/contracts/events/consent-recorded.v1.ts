import { z } from 'zod';
import { eventSchema } from '../envelope';

export const consentActionSchema = z.enum(['accept_all', 'reject_all', 'custom', 'withdraw', 'gpc']);

/** A consent record was appended (for statistics; the record itself stays in cookie-consent). */
export const consentRecordedV1 = eventSchema(
  'consent.recorded',
  1,
  z.object({
    recordId: z.uuid(),
    consentId: z.uuid(),
    revision: z.number().int().positive(),
    action: consentActionSchema,
    accepted: z.array(z.string().max(64)).max(50),
    rejected: z.array(z.string().max(64)).max(50),
    gpc: z.boolean(),
    recordedAt: z.iso.datetime(),
  }),
);
export type ConsentRecordedV1 = z.infer<typeof consentRecordedV1>;
