import { buildRuleInput } from '../../../test/support/rule-input';
import { tooManyLinks } from './too-many-links';

const text = 'See https://a.example/1 and http://b.example/2 and www.c.example';

describe('tooManyLinks', () => {
  it('when the links are within the limit, then it does not fire', () => {
    expect(tooManyLinks(buildRuleInput({ comment: { text }, settings: { moderation: { linkLimit: 3 } } }))).toBeUndefined();
  });
  it('when there are more links than the site allows (default 2), then TOO_MANY_LINKS holds', () => {
    expect(tooManyLinks(buildRuleInput({ comment: { text } }))).toEqual({ code: 'TOO_MANY_LINKS', outcome: 'held', detail: '3 links (limit 2)' });
  });
  it('when the limit is 0, then a single link holds', () => {
    expect(tooManyLinks(buildRuleInput({ comment: { text: 'https://a.example' }, settings: { moderation: { linkLimit: 0 } } }))?.outcome).toBe('held');
  });
});
