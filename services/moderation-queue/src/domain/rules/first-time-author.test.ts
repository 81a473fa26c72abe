import { buildRuleInput } from '../../../test/support/rule-input';
import { firstTimeAuthor } from './first-time-author';

describe('firstTimeAuthor', () => {
  it('when the site moderates first-time authors and the author is new, then FIRST_TIME_AUTHOR holds', () => {
    expect(firstTimeAuthor(buildRuleInput({ settings: { moderation: { mode: 'first-time' } }, trusted: false }))).toMatchObject({ code: 'FIRST_TIME_AUTHOR', outcome: 'held' });
  });
  it('when the author is trusted, or the mode is not first-time, then it does not fire', () => {
    expect(firstTimeAuthor(buildRuleInput({ settings: { moderation: { mode: 'first-time' } }, trusted: true }))).toBeUndefined();
    expect(firstTimeAuthor(buildRuleInput({ settings: { moderation: { mode: 'post' } }, trusted: false }))).toBeUndefined();
  });
});
