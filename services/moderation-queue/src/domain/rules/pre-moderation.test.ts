import { buildRuleInput } from '../../../test/support/rule-input';
import { preModeration } from './pre-moderation';

describe('preModeration', () => {
  it('when the site pre-moderates, then PRE_MODERATION holds', () => {
    expect(preModeration(buildRuleInput({ settings: { moderation: { mode: 'pre' } } }))).toMatchObject({ code: 'PRE_MODERATION', outcome: 'held' });
  });
  it('when it post-moderates, then it does not fire', () => {
    expect(preModeration(buildRuleInput())).toBeUndefined();
  });
});
