import type { SiteSettings } from '@parley/shared';
import type { SpamModel } from '../spam/classifier';
import type { WordMatcher } from '../text/normalise';

export type Outcome = 'approved' | 'held' | 'spam' | 'rejected';

/** What one rule says when it fires: the outcome it asks for, a reason code and a detail for moderators. */
export interface Verdict {
  code: string;
  outcome: Outcome;
  detail: string;
}

/** The comment as the pipeline judges it (from `comments.submitted`). */
export interface CandidateComment {
  id: string;
  threadId: string;
  author: {
    key: string;
    name: string;
    website: string | null;
    emailDomain: string | null;
    emailHash: string | null;
    ipHash: string;
    fingerprint: string;
  };
  text: string;
  signals: { honeypot: boolean; elapsedMs: number | null; formToken: 'valid' | 'missing' | 'expired' | 'foreign' | 'invalid' };
  submittedAt: Date;
}

export interface Policy {
  disallowed: WordMatcher;
  suspect: WordMatcher;
  spamHoldThreshold: number;
  spamThreshold: number;
  /** Whether reports past the site's threshold hold a comment. */
  reportsHold: boolean;
}

export interface ActiveBan {
  matchedOn: 'email' | 'ip' | 'fingerprint' | 'author';
  reason: string;
  expiresAt: Date | null;
}

/** Everything a rule may look at, loaded before the pipeline runs: rules themselves do no I/O. */
export interface RuleInput {
  comment: CandidateComment;
  site: { status: 'active' | 'closed' | 'deleted'; settings: SiteSettings };
  policy: Policy;
  thread: { firstSeenAt: Date; closedAt: Date | null };
  ban: ActiveBan | undefined;
  /** The author's recent comment with the same normalised text, if any. */
  duplicateOf: string | undefined;
  author: { trusted: boolean };
  spam: SpamModel;
  /** The comment's classifier tokens (`features(comment)`) when the caller has them already. */
  tokens?: readonly string[];
  /** Reader reports that arrived before the comment itself (the two streams have no order between them). */
  reports: number;
}

export type Rule = (input: RuleInput) => Verdict | undefined;
