import WebSocket from 'ws';
import { cursorOf } from './cursor';
import { eventFrame, payloadLength, textFrame } from './frame-delivery';

type ReceiverLike = NodeJS.WritableStream & {
  on(event: 'message', cb: (data: Buffer, isBinary: boolean) => void): void;
  on(event: 'error', cb: (e: Error) => void): void;
};
const { Receiver } = WebSocket as unknown as {
  Receiver: new (opts: { isServer: boolean; maxPayload?: number }) => ReceiverLike;
};

/** What a client's ws receives from these bytes: its own parser decides. */
function receive(frame: Buffer): Promise<{ text: string; isBinary: boolean }> {
  return new Promise((resolve, reject) => {
    const r = new Receiver({ isServer: false, maxPayload: 0 });
    r.on('message', (data, isBinary) => resolve({ text: data.toString('utf8'), isBinary }));
    r.on('error', reject);
    r.write(frame);
  });
}

describe('eventFrame', () => {
  const event = {
    type: 'comment.deleted',
    eventId: 'e1',
    id: 'c1',
    threadId: 't1',
    deletedAt: '2024-01-01T00:00:00Z',
  };
  const value = Buffer.from(JSON.stringify({ op: 'event', channel: 'thread:t1', event }));

  it('is one WebSocket text frame holding the JSON frame with the cursor as its last field', async () => {
    const frame = eventFrame(value, cursorOf(3, 1234))!;
    const text = `${value.toString().slice(0, -1)},"cursor":"3-1234"}`;
    expect(frame[0]).toBe(0x81);
    expect(payloadLength(frame)).toBe(Buffer.byteLength(text));
    expect(await receive(frame)).toEqual({ text, isBinary: false });
    expect(JSON.parse(text)).toEqual({ op: 'event', channel: 'thread:t1', event, cursor: '3-1234' });
    expect(value.toString()).toBe(JSON.stringify({ op: 'event', channel: 'thread:t1', event }));
  });

  it.each([
    ['7-bit length', 40],
    ['7-bit length, the largest', 125],
    ['16-bit length, the smallest', 126],
    ['16-bit length', 300],
    ['16-bit length, the largest', 65_535],
    ['64-bit length', 70_000],
  ])('frames a payload needing a %s', async (_what, size) => {
    const prefix = '{"h":"';
    const suffix = '"}';
    const cursor = '0-1';
    const fill = size - prefix.length - suffix.length - `,"cursor":"${cursor}"}`.length + 1;
    const v = Buffer.from(`${prefix}${'x'.repeat(fill)}${suffix}`);
    const frame = eventFrame(v, cursor)!;
    expect(payloadLength(frame)).toBe(size);
    expect(frame.length - size).toBe(size < 126 ? 2 : size < 65_536 ? 4 : 10);
    const got = await receive(frame);
    expect(JSON.parse(got.text).cursor).toBe(cursor);
    expect(Buffer.byteLength(got.text)).toBe(size);
  });

  it('keeps multi-byte text intact and tolerates trailing whitespace', async () => {
    const text = '{"op":"event","channel":"thread:t1","event":{"html":"héllo 👋 «ü»"}}';
    const frame = eventFrame(Buffer.from(`${text}\r\n `), '0-9')!;
    expect(JSON.parse((await receive(frame)).text)).toEqual({
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
    expect(eventFrame(v, '0-1')).toBeUndefined();
  });
});

describe('textFrame', () => {
  it.each([0, 125, 126, 65_535, 65_536])('frames a %s-byte text that ws reads back as sent', async (size) => {
    const text = 'é'.repeat(Math.floor(size / 2)) + 'x'.repeat(size % 2);
    const frame = textFrame(text);
    expect(payloadLength(frame)).toBe(Buffer.byteLength(text));
    expect(await receive(frame)).toEqual({ text, isBinary: false });
  });
});
