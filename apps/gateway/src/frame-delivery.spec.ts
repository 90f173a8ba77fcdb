import { cursorOf } from './cursor';
import { frameWithCursor } from './frame-delivery';

describe('frameWithCursor', () => {
  const event = {
    type: 'comment.deleted',
    eventId: 'e1',
    id: 'c1',
    threadId: 't1',
    deletedAt: '2024-01-01T00:00:00Z',
  };
  const value = Buffer.from(JSON.stringify({ op: 'event', channel: 'thread:t1', event }));

  it('appends the cursor as the last field of the same JSON frame', () => {
    const frame = frameWithCursor(value, cursorOf(3, 1234))!;
    expect(frame.toString()).toBe(`${value.toString().slice(0, -1)},"cursor":"3-1234"}`);
    expect(JSON.parse(frame.toString())).toEqual({
      op: 'event',
      channel: 'thread:t1',
      event,
      cursor: '3-1234',
    });
    expect(value.toString()).toBe(JSON.stringify({ op: 'event', channel: 'thread:t1', event }));
  });

  it('keeps multi-byte text intact and tolerates trailing whitespace', () => {
    const text = '{"op":"event","channel":"thread:t1","event":{"html":"héllo 👋 «ü»"}}';
    const frame = frameWithCursor(Buffer.from(`${text}\r\n `), '0-9')!;
    expect(JSON.parse(frame.toString('utf8'))).toEqual({
      op: 'event',
      channel: 'thread:t1',
      event: { html: 'héllo 👋 «ü»' },
      cursor: '0-9',
    });
  });

  it.each([
    ['null', null],
    ['empty', Buffer.alloc(0)],
    ['an empty object', Buffer.from('{}')],
    ['an array', Buffer.from('[{"op":"event"}]')],
    ['truncated JSON', Buffer.from('{"op":"event","channel":"thread:t1","event":{')],
    ['whitespace before the object', Buffer.from(' {"op":"event"}')],
  ])('refuses %s', (_what, v) => {
    expect(frameWithCursor(v, '0-1')).toBeUndefined();
  });
});
