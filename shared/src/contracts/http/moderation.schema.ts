import { z } from 'zod';
import { commentStatusSchema, verdictReasonSchema } from '../events/comments-status-changed.v1';
import { threadIdSchema } from './comments.schema';

/** The moderators' API (moderation-queue): queue, decisions, authors, word lists, settings, webhooks, statistics. */

const hex64 = z.string().regex(/^[0-9a-f]{64}$/, 'must be 64 lowercase hex characters');

/** Queue views: a comment state, or `reported` (approved or held comments readers reported). */
export const queueStateSchema = z.enum(['held', 'reported', 'pending', 'spam', 'approved', 'rejected', 'removed']);
export type QueueState = z.infer<typeof queueStateSchema>;

export const queueQuerySchema = z.strictObject({
  state: queueStateSchema.default('held'),
  thread: threadIdSchema.optional(),
  /** An author key (keyed email hash, else browser fingerprint), as shown on each queue item. */
  author: hex64.optional(),
  /** A reason code of a rule that fired, e.g. `TOO_MANY_LINKS`. */
  rule: z.string().regex(/^[A-Z_]{2,64}$/).optional(),
  from: z.iso.datetime().optional(),
  to: z.iso.datetime().optional(),
  order: z.enum(['newest', 'oldest']).default('newest'),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().max(200).regex(/^[A-Za-z0-9_-]+$/).optional(),
});
export type QueueQuery = z.infer<typeof queueQuerySchema>;

export const moderationEventSchema = z.object({
  kind: z.enum(['verdict', 'decision', 'report', 'author']),
  from: commentStatusSchema.nullable(),
  to: commentStatusSchema.nullable(),
  reasons: z.array(verdictReasonSchema),
  actor: z.object({ kind: z.enum(['pipeline', 'moderator', 'reader', 'author']), keyId: z.uuid().nullable() }),
  note: z.string().nullable(),
  at: z.iso.datetime(),
});

export const queueItemSchema = z.object({
  id: z.uuid(),
  site: z.string(),
  threadId: z.string(),
  threadUrl: z.string().nullable(),
  parentId: z.uuid().nullable(),
  state: commentStatusSchema,
  /** Grows on every change; informational (concurrency is checked on `expectedState`). */
  version: z.number().int(),
  author: z.object({
    key: hex64,
    name: z.string(),
    website: z.string().nullable(),
    emailDomain: z.string().nullable(),
    ipPrefix: z.string(),
  }),
  text: z.string(),
  reasons: z.array(verdictReasonSchema),
  reports: z.number().int(),
  spamScore: z.number().nullable(),
  submittedAt: z.iso.datetime(),
  decidedAt: z.iso.datetime().nullable(),
});
export type QueueItem = z.infer<typeof queueItemSchema>;

export const queuePageSchema = z.object({
  items: z.array(queueItemSchema),
  /** Pass as `cursor` for the next page; null on the last one. */
  nextCursor: z.string().nullable(),
});

export const queueCountsSchema = z.object({ counts: z.record(queueStateSchema, z.number().int()) });

export const moderationCommentSchema = queueItemSchema.extend({ history: z.array(moderationEventSchema) });

export const decisionActionSchema = z.enum(['approve', 'reject', 'spam', 'remove', 'restore']);
export type DecisionAction = z.infer<typeof decisionActionSchema>;

const reason = z.string().trim().max(500);

export const decisionBodySchema = z.strictObject({
  action: decisionActionSchema,
  /** The state the moderator saw; a different current state is a 409 (optimistic concurrency). */
  expectedState: commentStatusSchema,
  reason: reason.optional(),
});
export type DecisionBody = z.infer<typeof decisionBodySchema>;

export const bulkDecisionBodySchema = z.strictObject({
  action: decisionActionSchema,
  reason: reason.optional(),
  items: z.array(z.strictObject({ commentId: z.uuid(), expectedState: commentStatusSchema })).min(1).max(500),
});
export type BulkDecisionBody = z.infer<typeof bulkDecisionBodySchema>;

export const decisionOutcomeSchema = z.enum(['applied', 'conflict', 'not-found', 'invalid-transition']);
export const bulkDecisionResultSchema = z.object({
  results: z.array(z.object({ commentId: z.uuid(), outcome: decisionOutcomeSchema, state: commentStatusSchema.nullable() })),
});

export const banBodySchema = z.strictObject({
  reason: reason.default(''),
  /** Null or absent: the ban never expires. */
  expiresAt: z.iso.datetime().nullable().default(null),
  /** Also reject the author's comments still waiting (held or pending). */
  rejectPending: z.boolean().default(false),
});
export type BanBody = z.infer<typeof banBodySchema>;

export const authorViewSchema = z.object({
  key: hex64,
  trusted: z.boolean(),
  approvedCount: z.number().int(),
  ban: z.object({ reason: z.string(), expiresAt: z.iso.datetime().nullable(), createdAt: z.iso.datetime() }).nullable(),
  comments: z.array(queueItemSchema),
});

const word = z.string().trim().min(1).max(100);

export const wordListsBodySchema = z.strictObject({
  /** The version read; another change since then is a 409. */
  version: z.number().int().min(0),
  disallowed: z.array(word).max(5_000),
  suspect: z.array(word).max(5_000),
});
export type WordListsBody = z.infer<typeof wordListsBodySchema>;

export const moderationSettingsBodySchema = z
  .strictObject({
    version: z.number().int().min(0),
    mode: z.enum(['pre', 'post', 'first-time']),
    linkLimit: z.number().int().min(0).max(100),
    reportThreshold: z.number().int().min(0).max(1_000),
    /** Whether reports past the threshold send an approved comment back to `held`. */
    reportsHold: z.boolean(),
    /** Spam score (0–1) from which a comment is held. */
    spamHoldThreshold: z.number().min(0).max(1),
    /** Spam score (0–1) from which a comment is marked spam. */
    spamThreshold: z.number().min(0).max(1),
    /** How far back a comment counts as the author's recent one for duplicate detection. */
    duplicateWindowMinutes: z.number().int().min(0).max(10_080),
  })
  .refine((s) => s.spamHoldThreshold <= s.spamThreshold, { path: ['spamHoldThreshold'], message: 'must not exceed spamThreshold' });
export type ModerationSettingsBody = z.infer<typeof moderationSettingsBodySchema>;

export const webhookEventSchema = z.enum(['held', 'approved', 'rejected', 'spam', 'removed']);
export const webhookBodySchema = z.strictObject({
  url: z.url({ protocol: /^https?$/ }).max(2_000),
  events: z.array(webhookEventSchema).min(1).max(5),
  active: z.boolean().default(true),
});
export type WebhookBody = z.infer<typeof webhookBodySchema>;

export const statsQuerySchema = z.strictObject({ days: z.coerce.number().int().min(1).max(366).default(30) });

export const siteStatsSchema = z.object({
  days: z.array(z.object({ day: z.string(), counts: z.record(z.string(), z.number().int()) })),
  medianSecondsToHumanDecision: z.number().nullable(),
  decidedBy: z.object({ pipeline: z.number().int(), moderator: z.number().int() }),
});
