import { buildRuleInput } from '../../../test/support/rule-input';
import { tooFast } from './too-fast';

const after = (elapsedMs: number | null) => ({ comment: { signals: { honeypot: false, elapsedMs, formToken: 'valid' as const } } });

describe('tooFast', () => {
  it('when the form took longer than the minimum, then it does not fire', () => {
    expect(tooFast(buildRuleInput(after(3_000)))).toBeUndefined();
  });
  it('when it was sent faster than minSubmitSeconds, then TOO_FAST marks spam', () => {
    expect(tooFast(buildRuleInput(after(800)))).toMatchObject({ code: 'TOO_FAST', outcome: 'spam', detail: 'submitted 800 ms after the form loaded (minimum 3000 ms)' });
  });
  it('when the time is unknown or the site sets no minimum, then it does not fire', () => {
    expect(tooFast(buildRuleInput(after(null)))).toBeUndefined();
    expect(tooFast(buildRuleInput({ ...after(10), settings: { comments: { minSubmitSeconds: 0 } } }))).toBeUndefined();
  });
});
