import { buildRuleInput } from '../../../test/support/rule-input';
import { runPipeline } from './pipeline';

describe('runPipeline', () => {
  it('when nothing fires, then the comment is approved with the APPROVED reason', () => {
    expect(runPipeline(buildRuleInput())).toEqual({ outcome: 'approved', verdicts: [{ code: 'APPROVED', outcome: 'approved', detail: 'no rule held the comment' }] });
  });
  it('when only holding rules fire, then it is held and every one of them is kept', () => {
    const r = runPipeline(buildRuleInput({ settings: { moderation: { mode: 'pre', linkLimit: 0 } }, comment: { text: 'see https://a.example for the source' } }));
    expect(r.outcome).toBe('held');
    expect(r.verdicts.map((v) => v.code)).toEqual(['TOO_MANY_LINKS', 'PRE_MODERATION']);
  });
  it('when a rejecting rule fires before a spam rule, then the first in order decides and both are kept', () => {
    const r = runPipeline(buildRuleInput({ status: 'closed', comment: { signals: { honeypot: true, elapsedMs: 40_000, formToken: 'valid' } } }));
    expect(r.outcome).toBe('rejected');
    expect(r.verdicts.map((v) => v.code)).toEqual(['SITE_CLOSED', 'HONEYPOT']);
  });
  it('when a spam rule fires after a holding one, then spam wins over held', () => {
    const r = runPipeline(buildRuleInput({ settings: { moderation: { mode: 'pre' } }, comment: { signals: { honeypot: false, elapsedMs: 40_000, formToken: 'missing' } } }));
    expect(r.outcome).toBe('spam');
  });
});
