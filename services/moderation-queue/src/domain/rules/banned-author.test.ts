import { buildRuleInput } from '../../../test/support/rule-input';
import { bannedAuthor } from './banned-author';

describe('bannedAuthor', () => {
  it('when no ban matches, then it does not fire', () => {
    expect(bannedAuthor(buildRuleInput())).toBeUndefined();
  });
  it('when a ban matches, then BANNED_AUTHOR rejects and says on what and until when', () => {
    const v = bannedAuthor(buildRuleInput({ ban: { matchedOn: 'ip', reason: 'abuse', expiresAt: new Date('2026-02-01T00:00:00Z') } }));
    expect(v).toEqual({ code: 'BANNED_AUTHOR', outcome: 'rejected', detail: 'banned (matched on ip) until 2026-02-01T00:00:00.000Z: abuse' });
  });
});
