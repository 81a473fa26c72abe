import { z } from 'zod';
import { siteIdSchema } from '../envelope';
import { consentActionSchema } from '../events/consent-recorded.v1';

/** Category and service ids: short slugs, safe in cookies, CSS selectors and CSV. */
const slug = z.string().min(1).max(64).regex(/^[a-z0-9][a-z0-9_-]*$/, 'lowercase letters, digits, - and _ only');
/** A cookie name, or a pattern with `*` wildcards (`_ga*`). */
const cookiePattern = z.string().min(1).max(128).regex(/^[A-Za-z0-9_.*-]+$/, 'cookie names use letters, digits, _ . - and the * wildcard');
const text = (max: number) => z.string().trim().min(1).max(max);
const language = z.string().min(2).max(16).regex(/^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$/, 'a BCP 47 tag such as en or pt-BR');
const httpUrl = z.url({ protocol: /^https?$/ }).max(2048);

export const consentServiceSchema = z.strictObject({
  id: slug,
  name: text(100),
  cookies: z.array(cookiePattern).max(50).default([]),
});

export const consentCategorySchema = z.strictObject({
  id: slug,
  /** Always on and read-only in the banner (only `necessary` by convention). */
  required: z.boolean().default(false),
  /** Switched off when the browser sends Global Privacy Control (sale/sharing of data). */
  offUnderGpc: z.boolean().default(false),
  /** Google Consent Mode v2 signals this category grants. */
  consentMode: z.array(z.enum(['ad_storage', 'analytics_storage', 'ad_user_data', 'ad_personalization', 'functionality_storage', 'personalization_storage'])).max(6).default([]),
  cookies: z.array(cookiePattern).max(50).default([]),
  services: z.array(consentServiceSchema).max(30).default([]),
});

export const consentTextsSchema = z.strictObject({
  title: text(200),
  description: text(2000),
  acceptAll: text(60),
  rejectAll: text(60),
  preferences: text(60),
  save: text(60),
  close: text(60),
  policyLabel: text(100),
  gpcNotice: text(300),
  /** Announced to screen readers (aria-live) once a choice is stored. */
  saved: text(200).default('Your choices have been saved.'),
  /** The preferences' link to the visitor's own consent records (a download, receipts included). */
  records: text(100).default('Download my consent records'),
  /** Shown under that link when the records could not be fetched. */
  recordsFailed: text(200).default('Your records could not be downloaded. Please try again.'),
  categories: z.record(slug, z.strictObject({ label: text(100), description: text(1000) })),
});

export const consentThemeSchema = z.strictObject({
  layout: z.enum(['bar', 'box']).default('bar'),
  /** CSS custom properties of the banner (`--parley-bg` …): colours and radii, nothing executable. */
  variables: z.record(z.string().regex(/^--parley-[a-z-]{1,40}$/), z.string().max(64).regex(/^[#A-Za-z0-9 ().,%-]+$/, 'a plain CSS value')).default({}),
});

/** What an operator publishes; every change becomes a new immutable revision. */
export const consentConfigSchema = z
  .strictObject({
    categories: z.array(consentCategorySchema).min(1).max(20),
    texts: z.record(language, consentTextsSchema),
    defaultLanguage: language.default('en'),
    policyUrl: httpUrl.nullable().default(null),
    lifetimeDays: z.number().int().min(1).max(395).default(182),
    theme: consentThemeSchema.prefault({}),
  })
  .superRefine((c, ctx) => {
    const ids = c.categories.map((k) => k.id);
    if (new Set(ids).size !== ids.length) ctx.addIssue({ code: 'custom', path: ['categories'], message: 'category ids must be unique' });
    const necessary = c.categories.find((k) => k.id === 'necessary');
    if (!necessary?.required) ctx.addIssue({ code: 'custom', path: ['categories'], message: 'a required "necessary" category is needed' });
    if (!c.texts[c.defaultLanguage]) ctx.addIssue({ code: 'custom', path: ['texts'], message: `texts for the default language "${c.defaultLanguage}" are needed` });
    for (const [lang, t] of Object.entries(c.texts)) {
      for (const id of ids) {
        if (!t.categories[id]) ctx.addIssue({ code: 'custom', path: ['texts', lang, 'categories', id], message: 'every category needs a label and description' });
      }
    }
  });
export type ConsentConfigInput = z.input<typeof consentConfigSchema>;
export type ConsentConfig = z.infer<typeof consentConfigSchema>;

/** One stored revision of a site's consent configuration. */
export const consentRevisionSchema = z.object({
  site: siteIdSchema,
  revision: z.number().int().positive(),
  /** SHA-256 (hex) of the canonical JSON of `config`: what every record of this revision points at. */
  contentHash: z.string().regex(/^[0-9a-f]{64}$/),
  config: consentConfigSchema,
  createdAt: z.iso.datetime(),
});
export type ConsentRevision = z.infer<typeof consentRevisionSchema>;

const choiceList = z.array(slug).max(50);

/** `POST /v1/consents`: one visitor's choice, as the banner sends it. */
export const recordConsentBodySchema = z
  .strictObject({
    site: siteIdSchema,
    consentId: z.uuid(),
    revision: z.number().int().positive(),
    action: consentActionSchema,
    accepted: choiceList,
    rejected: choiceList,
    services: z.strictObject({ accepted: choiceList.default([]), rejected: choiceList.default([]) }).prefault({}),
    language: language,
    pageUrl: httpUrl,
    gpc: z.boolean().default(false),
  })
  .refine((b) => !b.accepted.some((c) => b.rejected.includes(c)), { message: 'a category cannot be both accepted and rejected', path: ['rejected'] });
export type RecordConsentBody = z.infer<typeof recordConsentBodySchema>;

/** A stored consent record (the proof), as the admin API returns it. */
export const consentRecordSchema = z.object({
  id: z.uuid(),
  site: siteIdSchema,
  seq: z.number().int().positive(),
  consentId: z.uuid(),
  revision: z.number().int().positive(),
  configHash: z.string(),
  action: consentActionSchema,
  accepted: z.array(z.string()),
  rejected: z.array(z.string()),
  services: z.object({ accepted: z.array(z.string()), rejected: z.array(z.string()) }),
  language: z.string(),
  pageUrl: z.string(),
  gpc: z.boolean(),
  ipHash: z.string(),
  ipPrefix: z.string(),
  userAgent: z.string(),
  recordedAt: z.iso.datetime(),
  prevHash: z.string(),
  hash: z.string(),
});
export type ConsentRecord = z.infer<typeof consentRecordSchema>;

export const recordConsentResponseSchema = z.object({
  recordId: z.uuid(),
  consentId: z.uuid(),
  recordedAt: z.iso.datetime(),
  /** JWS compact serialisation (EdDSA); verify with the key of its `kid` at /.well-known/jwks.json. */
  receipt: z.string(),
});
export type RecordConsentResponse = z.infer<typeof recordConsentResponseSchema>;

/**
 * What a visitor may read of their own consent id: each choice, the text it was made under and its
 * receipt (signed again), without the network data (IP hash, prefix, user agent), which the
 * operator's lookup shows. The consent id, random and kept in the visitor's cookie, is the key.
 */
export const visitorConsentHistorySchema = z.object({
  consentId: z.uuid(),
  site: siteIdSchema,
  records: z.array(
    consentRecordSchema.pick({ id: true, seq: true, revision: true, configHash: true, action: true, accepted: true, rejected: true, services: true, language: true, pageUrl: true, gpc: true, recordedAt: true, hash: true }).extend({
      /** The record's receipt (JWS, EdDSA), as POST /v1/consents answered it; verify with /.well-known/jwks.json. */
      receipt: z.string(),
      /** The texts and categories shown, in the language recorded; null if that revision is gone. */
      shown: z.object({ contentHash: z.string(), language: z.string(), texts: z.unknown(), categories: z.unknown() }).nullable(),
    }),
  ),
});
export type VisitorConsentHistory = z.infer<typeof visitorConsentHistorySchema>;

/** A date range for verification and export: `from` inclusive, `to` exclusive. */
export const consentRangeQuerySchema = z
  .strictObject({
    from: z.iso.datetime({ offset: true }).or(z.iso.date()).optional(),
    to: z.iso.datetime({ offset: true }).or(z.iso.date()).optional(),
    format: z.enum(['ndjson', 'csv']).optional(),
  })
  .refine((q) => !q.from || !q.to || new Date(q.from) < new Date(q.to), { message: 'from must be before to', path: ['to'] });
export type ConsentRangeQuery = z.infer<typeof consentRangeQuerySchema>;

export const chainVerificationSchema = z.object({
  site: siteIdSchema,
  from: z.iso.datetime().nullable(),
  to: z.iso.datetime().nullable(),
  checked: z.number().int().nonnegative(),
  intact: z.boolean(),
  firstBreak: z
    .object({
      recordId: z.uuid(),
      seq: z.number().int(),
      recordedAt: z.iso.datetime(),
      reason: z.enum(['hash_mismatch', 'prev_hash_mismatch', 'sequence_gap']),
    })
    .nullable(),
  lastHash: z.string().nullable(),
});
export type ChainVerification = z.infer<typeof chainVerificationSchema>;
