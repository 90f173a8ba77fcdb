import { PING_FRAME, subscribeFrame, unsubscribeFrame } from './client-frames';
import { parseServerFrame } from './server-frames';

describe('client frames', () => {
  it('sends the cursor only when there is one', () => {
    expect(JSON.parse(subscribeFrame('thread:t1', undefined))).toEqual({
      op: 'subscribe',
      channel: 'thread:t1',
    });
    expect(JSON.parse(subscribeFrame('thread:t1', '3-42'))).toEqual({
      op: 'subscribe',
      channel: 'thread:t1',
      cursor: '3-42',
    });
  });

  it('builds unsubscribe and ping', () => {
    expect(JSON.parse(unsubscribeFrame('user:u1'))).toEqual({ op: 'unsubscribe', channel: 'user:u1' });
    expect(JSON.parse(PING_FRAME)).toEqual({ op: 'ping' });
  });
});

describe('parseServerFrame', () => {
  const event = { type: 'comment.deleted', eventId: 'e1', id: 'c1', threadId: 't1', deletedAt: 'x' };

  it('parses an event frame as the gateway splices it (cursor last)', () => {
    const text = `{"op":"event","channel":"thread:t1","event":${JSON.stringify(event)},"cursor":"3-42"}`;
    expect(parseServerFrame(text)).toEqual({ op: 'event', channel: 'thread:t1', cursor: '3-42', event });
  });

  it('parses the control frames, ignoring the echoed id', () => {
    const parse = (f: unknown) => parseServerFrame(JSON.stringify(f));
    expect(parse({ op: 'subscribed', channel: 'thread:t1', cursor: '1-2', id: 7 })).toEqual({
      op: 'subscribed',
      channel: 'thread:t1',
      cursor: '1-2',
    });
    expect(parse({ op: 'subscribed', channel: 'thread:t1', cursor: null })).toEqual({
      op: 'subscribed',
      channel: 'thread:t1',
      cursor: null,
    });
    expect(parse({ op: 'reset', channel: 'thread:t1' })).toEqual({ op: 'reset', channel: 'thread:t1' });
    expect(parse({ op: 'unsubscribed', channel: 'thread:t1' })).toEqual({
      op: 'unsubscribed',
      channel: 'thread:t1',
    });
    expect(parse({ op: 'pong' })).toEqual({ op: 'pong' });
    expect(parse({ op: 'error', code: 'forbidden', message: 'no', channel: 'user:u2' })).toEqual({
      op: 'error',
      code: 'forbidden',
      message: 'no',
      channel: 'user:u2',
    });
    expect(parse({ op: 'error', code: 'bad_request', message: 'no' })).toEqual({
      op: 'error',
      code: 'bad_request',
      message: 'no',
      channel: undefined,
    });
  });

  it('parses a presence frame', () => {
    expect(parseServerFrame('{"op":"presence","channel":"thread:t1","count":2}')).toEqual({
      op: 'presence',
      channel: 'thread:t1',
      count: 2,
    });
  });

  it.each([
    ['no channel', '{"op":"presence","count":2}'],
    ['no count', '{"op":"presence","channel":"thread:t1"}'],
    ['a negative count', '{"op":"presence","channel":"thread:t1","count":-1}'],
    ['a fractional count', '{"op":"presence","channel":"thread:t1","count":1.5}'],
  ])('refuses a presence frame with %s', (_what, text) => {
    expect(parseServerFrame(text)).toMatchObject({ op: 'invalid' });
  });

  it('skips ops it does not know, for newer gateways', () => {
    expect(parseServerFrame('{"op":"hint","x":1}')).toBeUndefined();
  });

  it.each([
    ['binary', new Uint8Array([123, 125])],
    ['not JSON', '{op'],
    ['an array', '[]'],
    ['null', 'null'],
    ['no op', '{"channel":"thread:t1"}'],
    ['an event without cursor', JSON.stringify({ op: 'event', channel: 'thread:t1', event })],
    [
      'an event without eventId',
      JSON.stringify({ op: 'event', channel: 'thread:t1', cursor: '1', event: {} }),
    ],
    ['an event without event', JSON.stringify({ op: 'event', channel: 'thread:t1', cursor: '1' })],
    ['a reset without channel', '{"op":"reset"}'],
  ])('reports %s as invalid', (_what, data) => {
    expect(parseServerFrame(data)).toMatchObject({ op: 'invalid' });
  });
});
