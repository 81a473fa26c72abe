import { siteSettingsSchema, type SiteSettings } from '@parley/shared';
import type { CandidateComment, RuleInput } from '../../src/domain/rules/rule';
import { modelFrom } from '../../src/domain/spam/classifier';
import { wordMatcher } from '../../src/domain/text/normalise';

const hex = (c: string) => c.repeat(64);

export function buildCandidate(overrides: Partial<CandidateComment> = {}): CandidateComment {
  return {
    id: '01943c4e-8a00-7000-8000-0000000000c1',
    threadId: 'peace-talks-2025',
    author: { key: hex('b'), name: 'Ada', website: null, emailDomain: 'example.org', emailHash: hex('b'), ipHash: hex('c'), fingerprint: hex('d') },
    text: 'A thoughtful reply to the article, because the evidence points the other way.',
    signals: { honeypot: false, elapsedMs: 42_000, formToken: 'valid' },
    submittedAt: new Date('2026-01-15T10:00:00Z'),
    ...overrides,
  };
}

export interface InputOverrides {
  comment?: Partial<CandidateComment>;
  settings?: { comments?: Partial<SiteSettings['comments']>; moderation?: Partial<SiteSettings['moderation']> };
  status?: RuleInput['site']['status'];
  disallowed?: string[];
  suspect?: string[];
  spamHoldThreshold?: number;
  spamThreshold?: number;
  thread?: Partial<RuleInput['thread']>;
  ban?: RuleInput['ban'];
  duplicateOf?: string;
  trusted?: boolean;
}

/** A rule input where nothing fires unless an override makes it. */
export function buildRuleInput(o: InputOverrides = {}): RuleInput {
  return {
    comment: buildCandidate(o.comment),
    site: { status: o.status ?? 'active', settings: siteSettingsSchema.parse({ comments: o.settings?.comments ?? {}, moderation: o.settings?.moderation ?? {} }) },
    policy: {
      disallowed: wordMatcher(o.disallowed ?? []),
      suspect: wordMatcher(o.suspect ?? []),
      spamHoldThreshold: o.spamHoldThreshold ?? 0.8,
      spamThreshold: o.spamThreshold ?? 0.97,
      reportsHold: true,
    },
    thread: { firstSeenAt: new Date('2026-01-15T09:00:00Z'), closedAt: null, ...o.thread },
    ban: o.ban,
    duplicateOf: o.duplicateOf,
    author: { trusted: o.trusted ?? true },
    spam: modelFrom(new Map()),
    reports: 0,
  };
}
