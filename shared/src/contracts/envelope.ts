import { z } from 'zod';
import { uuidv7 } from '../ids';

export const siteIdSchema = z
  .string()
  .min(2)
  .max(64)
  .regex(/^[a-z0-9][a-z0-9-]*[a-z0-9]$/, 'lowercase letters, digits and inner hyphens only');

/** The fields every stream message carries around its payload. */
export const envelopeBaseSchema = z.object({
  id: z.uuid(),
  type: z.string().min(1),
  version: z.number().int().positive(),
  occurredAt: z.iso.datetime(),
  /** The site the event concerns; `*` for events about the whole installation (API keys). */
  site: z.union([siteIdSchema, z.literal('*')]),
  payload: z.unknown(),
});
export type EnvelopeBase = z.infer<typeof envelopeBaseSchema>;

export interface Envelope<TType extends string = string, TPayload = unknown> {
  id: string;
  type: TType;
  version: number;
  occurredAt: string;
  site: string;
  payload: TPayload;
}

/** The schema of one event type and version: literals for type and version, a payload schema. */
export function eventSchema<TType extends string, TVersion extends number, P extends z.ZodType>(
  type: TType,
  version: TVersion,
  payload: P,
) {
  return envelopeBaseSchema.extend({ type: z.literal(type), version: z.literal(version), payload });
}

export function makeEnvelope<TType extends string, TPayload>(
  type: TType,
  version: number,
  site: string,
  payload: TPayload,
  now: Date = new Date(),
): Envelope<TType, TPayload> {
  return { id: uuidv7(now.getTime()), type, version, occurredAt: now.toISOString(), site, payload };
}
