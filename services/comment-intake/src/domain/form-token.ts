import { createHmac, timingSafeEqual } from 'node:crypto';
import type { CommentSignals } from '../db/tables';

/**
 * A form token says "this site showed the form for this thread at time T". It is stateless
 * (HMAC-signed), so any instance can check it. A missing, foreign, expired or too-fast token never
 * blocks a comment: it is accepted and flagged, and moderation decides (never silently dropped).
 */
export function issueFormToken(key: Buffer, site: string, thread: string, now: Date): string {
  const payload = Buffer.from(JSON.stringify({ v: 1, s: site, t: thread, i: now.getTime() })).toString('base64url');
  return `${payload}.${sign(key, payload)}`;
}

export interface FormTokenCheck {
  formToken: CommentSignals['formToken'];
  /** Time from showing the form to submitting it, when the token tells. */
  elapsedMs: number | null;
}

export function checkFormToken(
  key: Buffer,
  token: string | null | undefined,
  site: string,
  thread: string,
  now: Date,
  ttlMs: number,
): FormTokenCheck {
  if (!token) return { formToken: 'missing', elapsedMs: null };
  const [payload, signature, extra] = token.split('.');
  if (!payload || !signature || extra !== undefined) return { formToken: 'invalid', elapsedMs: null };
  const expected = Buffer.from(sign(key, payload));
  const given = Buffer.from(signature);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { formToken: 'invalid', elapsedMs: null };
  let claims: { v?: unknown; s?: unknown; t?: unknown; i?: unknown };
  try {
    claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as typeof claims;
  } catch {
    return { formToken: 'invalid', elapsedMs: null };
  }
  if (claims.v !== 1 || typeof claims.i !== 'number') return { formToken: 'invalid', elapsedMs: null };
  const elapsedMs = Math.round(now.getTime() - claims.i);
  if (claims.s !== site || claims.t !== thread) return { formToken: 'foreign', elapsedMs };
  if (elapsedMs > ttlMs || elapsedMs < -60_000) return { formToken: 'expired', elapsedMs };
  return { formToken: 'valid', elapsedMs };
}

function sign(key: Buffer, payload: string): string {
  return createHmac('sha256', key).update(payload).digest('base64url');
}
