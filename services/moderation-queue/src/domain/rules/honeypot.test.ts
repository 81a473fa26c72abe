import { buildRuleInput } from '../../../test/support/rule-input';
import { honeypot } from './honeypot';

describe('honeypot', () => {
  it('when the hidden field is empty, then it does not fire', () => {
    expect(honeypot(buildRuleInput())).toBeUndefined();
  });
  it('when the hidden field was filled, then HONEYPOT marks spam', () => {
    const v = honeypot(buildRuleInput({ comment: { signals: { honeypot: true, elapsedMs: 40_000, formToken: 'valid' } } }));
    expect(v).toMatchObject({ code: 'HONEYPOT', outcome: 'spam' });
  });
});
