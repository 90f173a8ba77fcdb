import type { ClientEvent } from '@threadcast/contracts';
import { createChannelState } from './channel-state';
import type { SubscriptionHandlers } from './subscription';

const event = (eventId: string): ClientEvent => ({
  type: 'comment.deleted',
  eventId,
  id: 'c1',
  threadId: 't1',
  deletedAt: '2025-01-01T00:00:00.000Z',
});

function recorder() {
  const seen: string[] = [];
  const handlers: SubscriptionHandlers = {
    onEvent: (e, meta) => seen.push(`${e.eventId}@${meta.cursor}`),
    onReset: () => seen.push('reset'),
    onError: (code) => seen.push(`error:${code}`),
  };
  return { seen, handlers };
}

describe('channel state', () => {
  it('hands each event once to every listener and keeps the last cursor, duplicates included', () => {
    const channel = createChannelState('thread:t1', 100);
    const a = recorder();
    const b = recorder();
    channel.listeners.add({ handlers: a.handlers });
    channel.listeners.add({ handlers: b.handlers });
    channel.deliver(event('e1'), '0-1');
    channel.deliver(event('e1'), '0-2');
    channel.deliver(event('e2'), '0-3');
    channel.deliver(event('e1'), '0-4');
    expect(a.seen).toEqual(['e1@0-1', 'e2@0-3']);
    expect(b.seen).toEqual(a.seen);
    expect(channel.cursor).toBe('0-4');
  });

  it('reset forgets the cursor but still drops duplicates', () => {
    const channel = createChannelState('thread:t1', 100);
    const a = recorder();
    channel.listeners.add({ handlers: a.handlers });
    channel.deliver(event('e1'), '0-1');
    channel.reset();
    expect(channel.cursor).toBeUndefined();
    channel.deliver(event('e1'), '0-7');
    expect(a.seen).toEqual(['e1@0-1', 'reset']);
    expect(channel.cursor).toBe('0-7');
  });

  it('routes errors to every listener', () => {
    const channel = createChannelState('user:u1', 100);
    const a = recorder();
    channel.listeners.add({ handlers: a.handlers });
    channel.listeners.add({ handlers: { onEvent: () => undefined } }); // no onError: fine
    channel.error('forbidden', 'no');
    expect(a.seen).toEqual(['error:forbidden']);
  });

  describe('a listener that throws', () => {
    beforeEach(() => jest.useFakeTimers());
    afterEach(() => jest.useRealTimers());

    it('neither stops the others nor the cursor, and its error still surfaces', () => {
      const channel = createChannelState('thread:t1', 100);
      const b = recorder();
      channel.listeners.add({
        handlers: {
          onEvent: () => {
            throw new Error('app bug');
          },
        },
      });
      channel.listeners.add({ handlers: b.handlers });
      channel.deliver(event('e1'), '0-1');
      expect(b.seen).toEqual(['e1@0-1']);
      expect(channel.cursor).toBe('0-1');
      expect(() => jest.runOnlyPendingTimers()).toThrow('app bug');
    });
  });
});
