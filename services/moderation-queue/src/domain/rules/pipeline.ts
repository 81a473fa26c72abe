import { badFormToken } from './bad-form-token';
import { bannedAuthor } from './banned-author';
import { disallowedWords } from './disallowed-words';
import { duplicate } from './duplicate';
import { firstTimeAuthor } from './first-time-author';
import { honeypot } from './honeypot';
import { preModeration } from './pre-moderation';
import { reported } from './reported';
import type { Outcome, Rule, RuleInput, Verdict } from './rule';
import { spamScore } from './spam-score';
import { suspectWords } from './suspect-words';
import { threadClosed } from './thread-closed';
import { tooFast } from './too-fast';
import { tooManyLinks } from './too-many-links';

/** In order of precedence: the first rule asking to reject or mark as spam decides. */
export const RULES: readonly Rule[] = [
  threadClosed,
  bannedAuthor,
  honeypot,
  tooFast,
  badFormToken,
  disallowedWords,
  duplicate,
  tooManyLinks,
  suspectWords,
  spamScore,
  reported,
  firstTimeAuthor,
  preModeration,
];

export interface PipelineResult {
  outcome: Outcome;
  /** Every rule that fired, in order (moderators see them all, not just the deciding one). */
  verdicts: Verdict[];
}

/**
 * Runs every rule. A rejecting or spam verdict decides (first in order wins); otherwise any
 * holding verdict holds; with none fired the comment is approved (post-moderation).
 */
export function runPipeline(input: RuleInput, rules: readonly Rule[] = RULES): PipelineResult {
  const verdicts: Verdict[] = [];
  for (const rule of rules) {
    const v = rule(input);
    if (v) verdicts.push(v);
  }
  const terminal = verdicts.find((v) => v.outcome === 'rejected' || v.outcome === 'spam');
  if (terminal) return { outcome: terminal.outcome, verdicts };
  if (verdicts.some((v) => v.outcome === 'held')) return { outcome: 'held', verdicts };
  return { outcome: 'approved', verdicts: [{ code: 'APPROVED', outcome: 'approved', detail: 'no rule held the comment' }] };
}
