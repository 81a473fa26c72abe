import { buildCandidate, buildRuleInput } from '../../../test/support/rule-input';
import { spamScore } from './spam-score';

const spammy = {
  text: 'CHEAP VIAGRA!!! Buy now, discount casino bonus $100 free: http://win.xyz/a http://bit.ly/b http://deal.top/c',
  signals: { honeypot: false, elapsedMs: 2_000, formToken: 'valid' as const },
  author: { ...buildCandidate().author, name: 'Best Cheap Casino Deals Online', website: 'http://win.xyz' },
};

describe('spamScore', () => {
  it('when the comment reads like ordinary discussion, then it does not fire', () => {
    expect(spamScore(buildRuleInput())).toBeUndefined();
  });
  it('when it reads like spam, then SPAM_SCORE marks spam with the score in the detail', () => {
    const v = spamScore(buildRuleInput({ comment: spammy }));
    expect(v).toMatchObject({ code: 'SPAM_SCORE', outcome: 'spam' });
    expect(v?.detail).toMatch(/^spam score 0\.9\d\d$|^spam score 1\.000$/);
  });
  it('when the score is between the hold and spam thresholds, then it holds', () => {
    const v = spamScore(buildRuleInput({ comment: spammy, spamHoldThreshold: 0.5, spamThreshold: 1.01 }));
    expect(v?.outcome).toBe('held');
  });
});
