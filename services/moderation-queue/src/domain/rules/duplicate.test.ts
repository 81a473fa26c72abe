import { buildRuleInput } from '../../../test/support/rule-input';
import { duplicate } from './duplicate';

describe('duplicate', () => {
  it('when the author has no recent comment with the same text, then it does not fire', () => {
    expect(duplicate(buildRuleInput())).toBeUndefined();
  });
  it('when they have, then DUPLICATE rejects and names the earlier comment', () => {
    const v = duplicate(buildRuleInput({ duplicateOf: '01943c4e-8a00-7000-8000-0000000000c0' }));
    expect(v).toMatchObject({ code: 'DUPLICATE', outcome: 'rejected' });
    expect(v?.detail).toContain('01943c4e-8a00-7000-8000-0000000000c0');
  });
});
