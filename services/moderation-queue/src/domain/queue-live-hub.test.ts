import { QueueLiveHub, queueMovement, type QueueChange } from './queue-live-hub';

const change = (site: string, from: QueueChange['from'], to: QueueChange['to']): QueueChange => ({ site, commentId: 'c', threadId: 't', from, to, at: '' });

describe('the live queue hub', () => {
  it('when a comment becomes held, then it entered; when it stops being held, then it left; otherwise it changed', () => {
    expect(queueMovement({ from: 'pending', to: 'held' })).toBe('entered');
    expect(queueMovement({ from: 'held', to: 'approved' })).toBe('left');
    expect(queueMovement({ from: 'approved', to: 'removed' })).toBe('changed');
  });

  it('when changes are published, then only listeners of that site hear them, until they unsubscribe', () => {
    const hub = new QueueLiveHub();
    const heard: string[] = [];
    const off = hub.subscribe('a', (c) => heard.push(`${c.site}:${c.to}`));
    hub.publish([change('a', 'pending', 'held'), change('b', 'pending', 'held')]);
    off();
    hub.publish([change('a', 'held', 'approved')]);
    expect(heard).toEqual(['a:held']);
  });
});
