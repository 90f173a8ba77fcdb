import { createHmac } from 'node:crypto';
import {
  connectCommand,
  connectToken,
  forEachMessage,
  parseReply,
  subscribeCommand,
} from './centrifugo-protocol';

describe('centrifugo JSON protocol (client side)', () => {
  it('signs an HS256 JWT that verifies with the secret and carries sub and exp', () => {
    const token = connectToken('s3cret', 'b17', 1_900_000_000);
    const [head, body, sig] = token.split('.');
    expect(JSON.parse(Buffer.from(head!, 'base64url').toString())).toEqual({ alg: 'HS256', typ: 'JWT' });
    expect(JSON.parse(Buffer.from(body!, 'base64url').toString())).toEqual({
      sub: 'b17',
      exp: 1_900_000_000,
    });
    expect(sig).toBe(createHmac('sha256', 's3cret').update(`${head}.${body}`).digest('base64url'));
    expect(sig).not.toBe(createHmac('sha256', 'other').update(`${head}.${body}`).digest('base64url'));
  });

  it('writes connect and subscribe commands with their ids', () => {
    expect(JSON.parse(connectCommand('t.o.k'))).toEqual({
      id: 1,
      connect: { token: 't.o.k', name: 'threadcast-bench' },
    });
    expect(JSON.parse(subscribeCommand('thread:b1-3'))).toEqual({
      id: 2,
      subscribe: { channel: 'thread:b1-3' },
    });
  });

  it('splits a frame that batches messages (newline-separated) into each message', () => {
    const frame = Buffer.from('{"push":{"pub":1}}\n{"push":{"pub":2}}\n{}');
    const got: string[] = [];
    forEachMessage(frame, (m) => got.push(m.toString()));
    expect(got).toEqual(['{"push":{"pub":1}}', '{"push":{"pub":2}}', '{}']);
  });

  it('hands a frame of one message over whole, and skips empty lines', () => {
    const got: string[] = [];
    forEachMessage(Buffer.from('{"id":1,"connect":{}}'), (m) => got.push(m.toString()));
    forEachMessage(Buffer.from('{"a":1}\n\n{"b":2}\n'), (m) => got.push(m.toString()));
    expect(got).toEqual(['{"id":1,"connect":{}}', '{"a":1}', '{"b":2}']);
  });

  it('reads the replies a receiver acts on', () => {
    expect(parseReply('{"id":1,"connect":{"client":"c1","version":"6.9.1","ping":25,"pong":true}}')).toEqual({
      kind: 'connected',
    });
    expect(parseReply('{"id":2,"subscribe":{}}')).toEqual({ kind: 'subscribed' });
    expect(parseReply('{}')).toEqual({ kind: 'ping' });
    expect(parseReply('{"id":2,"error":{"code":103,"message":"permission denied"}}')).toEqual({
      kind: 'error',
      code: 103,
      message: 'permission denied',
      id: 2,
    });
    expect(parseReply('{"push":{"disconnect":{"code":3501,"reason":"bad request"}}}')).toEqual({
      kind: 'disconnect',
      code: 3501,
      reason: 'bad request',
    });
    expect(parseReply('{"push":{"channel":"x","join":{}}}')).toEqual({ kind: 'other' });
    expect(parseReply('not json')).toEqual({ kind: 'unparsable' });
    expect(parseReply('[1]')).toEqual({ kind: 'unparsable' });
  });
});
