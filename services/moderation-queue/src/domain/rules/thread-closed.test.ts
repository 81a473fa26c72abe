import { buildRuleInput } from '../../../test/support/rule-input';
import { threadClosed } from './thread-closed';

describe('threadClosed', () => {
  it('when the site and thread are open, then it does not fire', () => {
    expect(threadClosed(buildRuleInput())).toBeUndefined();
  });
  it('when the site is closed, then SITE_CLOSED rejects', () => {
    expect(threadClosed(buildRuleInput({ status: 'closed' }))).toMatchObject({ code: 'SITE_CLOSED', outcome: 'rejected' });
  });
  it('when a moderator closed the thread before the comment, then THREAD_CLOSED rejects', () => {
    const v = threadClosed(buildRuleInput({ thread: { closedAt: new Date('2026-01-15T09:30:00Z') } }));
    expect(v).toMatchObject({ code: 'THREAD_CLOSED', outcome: 'rejected' });
  });
  it('when the thread is older than closeAfterDays, then THREAD_CLOSED rejects; younger, it does not fire', () => {
    const old = buildRuleInput({ settings: { comments: { closeAfterDays: 2 } }, thread: { firstSeenAt: new Date('2026-01-10T00:00:00Z') } });
    expect(threadClosed(old)).toMatchObject({ code: 'THREAD_CLOSED', detail: 'thread older than 2 day(s)' });
    const young = buildRuleInput({ settings: { comments: { closeAfterDays: 2 } }, thread: { firstSeenAt: new Date('2026-01-14T00:00:00Z') } });
    expect(threadClosed(young)).toBeUndefined();
  });
});
