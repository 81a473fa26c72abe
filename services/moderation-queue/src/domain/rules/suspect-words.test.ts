import { buildRuleInput } from '../../../test/support/rule-input';
import { suspectWords } from './suspect-words';

describe('suspectWords', () => {
  it('when no suspect word appears, then it does not fire', () => {
    expect(suspectWords(buildRuleInput({ suspect: ['idiot'] }))).toBeUndefined();
  });
  it('when one does (any case, accents), then SUSPECT_WORD holds', () => {
    const v = suspectWords(buildRuleInput({ suspect: ['idiot'], comment: { text: 'What an ÍDIOT thing to say' } }));
    expect(v).toEqual({ code: 'SUSPECT_WORD', outcome: 'held', detail: '"idiot" in text' });
  });
});
