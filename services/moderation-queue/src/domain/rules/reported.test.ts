import { buildRuleInput } from '../../../test/support/rule-input';
import { reported } from './reported';

describe('reported', () => {
  it('when reports are below the threshold (default 3), then it does not fire', () => {
    expect(reported({ ...buildRuleInput(), reports: 2 })).toBeUndefined();
  });
  it('when they reach it, then REPORTED holds', () => {
    expect(reported({ ...buildRuleInput(), reports: 3 })).toEqual({ code: 'REPORTED', outcome: 'held', detail: '3 report(s) reached the threshold of 3' });
  });
  it('when the site does not hold reported comments, or the threshold is 0, then it does not fire', () => {
    const input = buildRuleInput();
    expect(reported({ ...input, reports: 9, policy: { ...input.policy, reportsHold: false } })).toBeUndefined();
    expect(reported({ ...buildRuleInput({ settings: { moderation: { reportThreshold: 0 } } }), reports: 9 })).toBeUndefined();
  });
});
