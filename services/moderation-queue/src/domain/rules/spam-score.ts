import { features } from '../spam/features';
import { spamProbability } from '../spam/classifier';
import type { Rule } from './rule';

export const spamScore: Rule = ({ comment, policy, spam, tokens }) => {
  const p = spamProbability(spam, tokens ?? features(comment));
  const detail = `spam score ${p.toFixed(3)}`;
  if (p >= policy.spamThreshold) return { code: 'SPAM_SCORE', outcome: 'spam', detail };
  if (p >= policy.spamHoldThreshold) return { code: 'SPAM_SCORE', outcome: 'held', detail };
  return undefined;
};
