import type { z } from 'zod';
import { ValidationError } from '../errors';
import { zodIssuesToFieldErrors } from './problem.middleware';

/** Parses one part of a request with a shared schema; failures name the field (`body.name`). */
export function parseOrThrow<S extends z.ZodType>(schema: S, value: unknown, part: 'body' | 'query' | 'params' | 'headers'): z.infer<S> {
  const r = schema.safeParse(value ?? {});
  if (!r.success) throw new ValidationError(zodIssuesToFieldErrors(r.error, part), part === 'body' ? 422 : 400);
  return r.data;
}
