import { parseClientFrame } from './client-frames';
import { errorFrame, pongFrame, resetFrame, subscribedFrame, unsubscribedFrame } from './server-frames';

describe('parseClientFrame', () => {
  it('reads subscribe, unsubscribe and ping with an optional id', () => {
    expect(parseClientFrame('{"op":"subscribe","channel":"thread:t1","id":"a1"}')).toEqual({
      op: 'subscribe',
      id: 'a1',
      channel: { kind: 'thread', id: 't1', name: 'thread:t1' },
      cursor: undefined,
    });
    expect(parseClientFrame('{"op":"subscribe","channel":"user:u-9","cursor":"3-17"}')).toMatchObject({
      op: 'subscribe',
      id: undefined,
      channel: { kind: 'user', id: 'u-9' },
      cursor: '3-17',
    });
    expect(parseClientFrame('{"op":"subscribe","channel":"mod:f1","cursor":null}')).toMatchObject({
      cursor: undefined,
    });
    expect(parseClientFrame('{"op":"unsubscribe","channel":"mod:f1","id":7}')).toEqual({
      op: 'unsubscribe',
      id: 7,
      channel: { kind: 'mod', id: 'f1', name: 'mod:f1' },
    });
    expect(parseClientFrame('{"op":"ping"}')).toEqual({ op: 'ping', id: undefined });
  });

  it('ignores unknown fields, so later clients can send more', () => {
    expect(parseClientFrame('{"op":"ping","id":1,"future":{"x":1}}')).toEqual({ op: 'ping', id: 1 });
  });

  it.each([
    ['not JSON', 'subscribe thread:t1', undefined],
    ['empty', '', undefined],
    ['a JSON string', '"ping"', undefined],
    ['null', 'null', undefined],
    ['an array', '[{"op":"ping"}]', undefined],
    ['no op', '{"channel":"thread:t1","id":"x"}', 'x'],
    ['an unknown op', '{"op":"publish","channel":"thread:t1","id":"x"}', 'x'],
    ['an op of the wrong type', '{"op":["ping"]}', undefined],
    ['a missing channel', '{"op":"subscribe","id":2}', 2],
    ['a channel of the wrong type', '{"op":"subscribe","channel":5}', undefined],
    ['an unknown channel kind', '{"op":"subscribe","channel":"room:t1"}', undefined],
    ['a channel without id', '{"op":"unsubscribe","channel":"thread:"}', undefined],
    ['a channel id with bad characters', '{"op":"subscribe","channel":"thread:a b"}', undefined],
    ['a too long channel id', `{"op":"subscribe","channel":"thread:${'a'.repeat(129)}"}`, undefined],
    ['a cursor of the wrong type', '{"op":"subscribe","channel":"thread:t1","cursor":12,"id":"c"}', 'c'],
    [
      'a too long cursor',
      `{"op":"subscribe","channel":"thread:t1","cursor":"${'1'.repeat(129)}"}`,
      undefined,
    ],
    ['an object id', '{"op":"ping","id":{"a":1}}', undefined],
    ['a too long id', `{"op":"ping","id":"${'i'.repeat(129)}"}`, undefined],
  ])('answers bad_request to %s, keeping a usable id', (_what, text, id) => {
    const r = parseClientFrame(text);
    expect(r).toMatchObject({ op: 'invalid', code: 'bad_request', id });
    expect(r.op === 'invalid' && r.message.length).toBeGreaterThan(0);
  });

  it('never throws, whatever arrives (seeded random inputs)', () => {
    const rand = mulberry32(20240601);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
    const atoms = [
      'null',
      'true',
      '1e999',
      '-0',
      '"thread:t1"',
      '"x"',
      '{}',
      '[]',
      '"\\u0000"',
      '"__proto__"',
    ];
    const keys = ['op', 'channel', 'cursor', 'id', '__proto__', 'constructor', ''];
    const ops = ['"subscribe"', '"unsubscribe"', '"ping"', '"Subscribe"'];
    const value = (depth: number): string => {
      const r = rand();
      if (depth > 3 || r < 0.4) return pick(atoms);
      if (r < 0.55) return pick(ops);
      if (r < 0.7) return `[${value(depth + 1)},${value(depth + 1)}]`;
      return `{${Array.from({ length: 1 + Math.floor(rand() * 3) }, () => `"${pick(keys)}":${value(depth + 1)}`).join(',')}}`;
    };
    const garble = (s: string) => {
      const i = Math.floor(rand() * (s.length + 1));
      return s.slice(0, i) + String.fromCharCode(Math.floor(rand() * 0xffff)) + s.slice(i + 1);
    };
    for (let n = 0; n < 5000; n++) {
      const json = value(0);
      const text = rand() < 0.3 ? garble(json) : json;
      const r = parseClientFrame(text);
      expect(['subscribe', 'unsubscribe', 'ping', 'invalid']).toContain(r.op);
      if (r.op === 'subscribe' || r.op === 'unsubscribe')
        expect(r.channel.name).toMatch(/^(thread|user|mod):/);
    }
  });
});

describe('control frames', () => {
  it('echo the id and drop what is not set', () => {
    expect(JSON.parse(subscribedFrame('thread:t1', '3-42', 'a'))).toEqual({
      op: 'subscribed',
      channel: 'thread:t1',
      cursor: '3-42',
      id: 'a',
    });
    expect(resetFrame('thread:t1', undefined)).toBe('{"op":"reset","channel":"thread:t1"}');
    expect(JSON.parse(unsubscribedFrame('user:u1', 4))).toEqual({
      op: 'unsubscribed',
      channel: 'user:u1',
      id: 4,
    });
    expect(pongFrame(undefined)).toBe('{"op":"pong"}');
    expect(JSON.parse(errorFrame('too_many_subscriptions', 'at most 2', 'z', 'thread:t1'))).toEqual({
      op: 'error',
      code: 'too_many_subscriptions',
      message: 'at most 2',
      id: 'z',
      channel: 'thread:t1',
    });
  });
});

/** Small seeded PRNG so a failing random input can be replayed. */
function mulberry32(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
