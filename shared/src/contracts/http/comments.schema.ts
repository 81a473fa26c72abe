import { z } from 'zod';
import { reportReasonSchema } from '../events/comments-reported.v1';

/**
 * The public comment API's request and response bodies (comment-intake, and the widget that
 * talks to it). Every text field is NFC-normalised and trimmed before its length is checked, and
 * control characters are refused, so what is stored is what a reader will see.
 */

/** C0 controls except tab and newline, DEL, C1 controls, and the bidi overrides that reorder text. */
// eslint-disable-next-line no-control-regex -- finding control characters is the point
const CONTROL_IN_TEXT = /[\u0000-\u0008\u000B-\u001F\u007F-\u009F\u202A-\u202E\u2066-\u2069]/;
/** Single-line fields also refuse tab and newline. */
// eslint-disable-next-line no-control-regex -- finding control characters is the point
const CONTROL_IN_LINE = /[\u0000-\u001F\u007F-\u009F\u202A-\u202E\u2066-\u2069\u2028\u2029]/;

/** Postgres cannot store half of a surrogate pair, and it means nothing to a reader. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

function cleanText(multiline: boolean) {
  return z
    .string()
    .max(100_000) // a cheap bound before normalisation does any work
    .transform((v) => (multiline ? v.replace(/\r\n?/g, '\n') : v))
    .refine((v) => !LONE_SURROGATE.test(v), 'must be valid Unicode (no lone surrogates)')
    .transform((v) => v.normalize('NFC').trim())
    .refine((v) => !(multiline ? CONTROL_IN_TEXT : CONTROL_IN_LINE).test(v), 'must not contain control characters');
}

/** A single-line text field: normalised, trimmed, `min`..`max` characters. */
export function lineField(min: number, max: number) {
  return cleanText(false).pipe(z.string().min(min).max(max));
}

/** An absolute http(s) URL; anything else (javascript:, data:, relative) is refused. */
export function httpUrlField(max: number) {
  return lineField(1, max).refine((v) => {
    try {
      const u = new URL(v);
      return (u.protocol === 'http:' || u.protocol === 'https:') && u.hostname.length > 0;
    } catch {
      return false;
    }
  }, 'must be an http or https URL');
}

/** The id a page gives its thread (`data-thread`): a URL-safe slug. */
export const threadIdSchema = z
  .string()
  .min(1)
  .max(200)
  .regex(/^[A-Za-z0-9][A-Za-z0-9._~-]*$/, 'letters, digits and . _ ~ - only');

/** An `Idempotency-Key` header value: opaque, printable, bounded. */
export const idempotencyKeySchema = z.string().regex(/^[A-Za-z0-9._:-]{8,128}$/, '8–128 characters of A-Z a-z 0-9 . _ : -');

export const COMMENT_TEXT_HARD_MAX = 20_000;

/** Site settings that shape the submit body's validation. */
export interface SubmitLimits {
  maxLength: number;
  requireEmail: boolean;
}

/** The submit body for one site's settings (text length, whether email is required). */
export function submitCommentBodySchemaFor(limits: SubmitLimits) {
  const email = lineField(3, 254).pipe(z.email('must be an email address'));
  return z.strictObject({
    name: lineField(1, 100),
    email: limits.requireEmail ? email : email.nullish(),
    website: httpUrlField(500).nullish(),
    text: cleanText(true).pipe(z.string().min(1).max(Math.min(limits.maxLength, COMMENT_TEXT_HARD_MAX))),
    parentId: z.uuid().nullish(),
    /** The article's address and title, remembered when the thread is created. */
    pageUrl: httpUrlField(2_000).nullish(),
    pageTitle: lineField(1, 300).nullish(),
    /** From `GET …/form-token`; missing or bad tokens are accepted but flagged for moderation. */
    formToken: z.string().max(512).nullish(),
    /** Honeypot: a field people never see; bots fill it in. */
    hp: z.string().max(500).nullish(),
  });
}

/** The widest form of the submit body (hard limits), for documentation and generic clients. */
export const submitCommentBodySchema = submitCommentBodySchemaFor({ maxLength: COMMENT_TEXT_HARD_MAX, requireEmail: false });
export type SubmitCommentBody = z.infer<typeof submitCommentBodySchema>;

export const submitCommentResponseSchema = z.object({
  id: z.uuid(),
  status: z.literal('pending'),
  /** Shown once: lets the author see and delete their comment. Stored only as a hash. */
  authorToken: z.string(),
});
export type SubmitCommentResponse = z.infer<typeof submitCommentResponseSchema>;

export const formTokenResponseSchema = z.object({
  token: z.string(),
  expiresAt: z.iso.datetime(),
  /** The site's minimum time between showing the form and submitting it. */
  minSubmitSeconds: z.number().int(),
  /** The thread takes no new comments (a moderator closed it, or it is older than the site's close-after-days): show no form. */
  closed: z.boolean().describe('The thread takes no new comments: closed by a moderator or past the site\'s close-after-days'),
});
export type FormTokenResponse = z.infer<typeof formTokenResponseSchema>;

export const threadOrderSchema = z.enum(['oldest', 'newest']);

export const listCommentsQuerySchema = z.strictObject({
  order: threadOrderSchema.default('oldest'),
  cursor: z.string().max(200).regex(/^[A-Za-z0-9_-]+$/).optional(),
  limit: z.coerce.number().int().min(1).max(200).optional(),
});
export type ListCommentsQuery = z.infer<typeof listCommentsQuerySchema>;

/** One approved comment as the public sees it: no email, no IP, no author token. */
export interface PublicComment {
  id: string;
  parentId: string | null;
  author: { name: string; website: string | null };
  text: string;
  /** The text escaped, with bare http(s) URLs as `rel="nofollow ugc noopener"` links. */
  html: string;
  createdAt: string;
  replies: PublicComment[];
}

export const publicCommentSchema: z.ZodType<PublicComment> = z.lazy(() =>
  z.object({
    id: z.uuid(),
    parentId: z.uuid().nullable(),
    author: z.object({ name: z.string(), website: z.string().nullable() }),
    text: z.string(),
    html: z.string(),
    createdAt: z.iso.datetime(),
    replies: z.array(publicCommentSchema),
  }),
);

export const threadPageSchema = z.object({
  site: z.string(),
  thread: z.string(),
  order: threadOrderSchema,
  /** Approved comments in the whole thread. */
  total: z.number().int(),
  items: z.array(publicCommentSchema),
  /** Pass as `cursor` for the next page of top-level comments; null on the last page. */
  nextCursor: z.string().nullable(),
  /** The thread takes no new comments (a moderator closed it, or it is older than the site's close-after-days): show no form. */
  closed: z.boolean().describe('The thread takes no new comments: closed by a moderator or past the site\'s close-after-days'),
});
export type ThreadPage = z.infer<typeof threadPageSchema>;

export const countsQuerySchema = z.strictObject({
  threads: z
    .string()
    .max(10_000)
    .transform((v) => [...new Set(v.split(',').map((t) => t.trim()).filter(Boolean))])
    .pipe(z.array(threadIdSchema).min(1).max(100)),
});

export const countsResponseSchema = z.object({ counts: z.record(z.string(), z.number().int()) });
export type CountsResponse = z.infer<typeof countsResponseSchema>;

/** What an author sees of their own comment (with the author token). */
export const authorCommentViewSchema = z.object({
  id: z.uuid(),
  site: z.string(),
  thread: z.string(),
  status: z.enum(['awaiting moderation', 'approved', 'not published', 'deleted']),
  text: z.string(),
  html: z.string(),
  createdAt: z.iso.datetime(),
  /** Until when the author may still delete it; null when the window has passed. */
  deletableUntil: z.iso.datetime().nullable(),
});
export type AuthorCommentView = z.infer<typeof authorCommentViewSchema>;

export const reportCommentBodySchema = z.strictObject({
  reason: reportReasonSchema,
  note: lineField(0, 500).nullish(),
});
export type ReportCommentBody = z.infer<typeof reportCommentBodySchema>;

export const reportCommentResponseSchema = z.object({ reportId: z.uuid() });
