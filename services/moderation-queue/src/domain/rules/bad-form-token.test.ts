import { buildRuleInput } from '../../../test/support/rule-input';
import { badFormToken } from './bad-form-token';

describe('badFormToken', () => {
  it('when the token is valid, then it does not fire', () => {
    expect(badFormToken(buildRuleInput())).toBeUndefined();
  });
  it.each(['missing', 'expired', 'foreign', 'invalid'] as const)('when the token is %s, then BAD_FORM_TOKEN marks spam', (formToken) => {
    const v = badFormToken(buildRuleInput({ comment: { signals: { honeypot: false, elapsedMs: 40_000, formToken } } }));
    expect(v).toMatchObject({ code: 'BAD_FORM_TOKEN', outcome: 'spam', detail: `form token ${formToken}` });
  });
});
