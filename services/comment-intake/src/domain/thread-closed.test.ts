import { isThreadClosed } from './thread-closed';

const now = new Date('2026-11-27T12:00:00.000Z');
const daysAgo = (n: number) => new Date(now.getTime() - n * 86_400_000);

describe('whether a thread is closed', () => {
  it('when a moderator closed it, then it is closed whatever its age', () => {
    expect(isThreadClosed({ closedAt: daysAgo(0), createdAt: now }, 0, now)).toBe(true);
  });

  it('when it is older than the site’s close-after-days, then it is closed', () => {
    expect(isThreadClosed({ closedAt: null, createdAt: daysAgo(8) }, 7, now)).toBe(true);
    expect(isThreadClosed({ closedAt: null, createdAt: daysAgo(6) }, 7, now)).toBe(false);
  });

  it('when close-after-days is 0 or intake has not seen the thread, then it is open', () => {
    expect(isThreadClosed({ closedAt: null, createdAt: daysAgo(3_000) }, 0, now)).toBe(false);
    expect(isThreadClosed(undefined, 7, now)).toBe(false);
  });
});
