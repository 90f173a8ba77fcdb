import { parseReply } from './centrifugo-protocol';
import { socketProtocol } from './wire-protocol';

const msg = (s: string) => Buffer.from(s);

describe('socket protocols', () => {
  it('threadcast: subscribe first, subscribed confirms, error and reset are counted', () => {
    const p = socketProtocol('threadcast', { channel: 'thread:t1' });
    expect(JSON.parse(p.opening())).toEqual({ op: 'subscribe', channel: 'thread:t1' });
    expect(p.control(msg('{"op":"subscribed","channel":"thread:t1"}'))).toEqual({ subscribed: true });
    expect(p.control(msg('{"op":"error","code":"rate_limited"}'))).toEqual({ error: 'rate_limited' });
    expect(p.control(msg('{"op":"reset"}'))).toEqual({ notice: 'reset' });
    expect(p.control(msg('{oops'))).toEqual({ notice: 'unparsable_frame' });
    const seen: string[] = [];
    p.messages(msg('{"a":1}\n{"b":2}'), (m) => seen.push(m.toString()));
    expect(seen).toEqual(['{"a":1}\n{"b":2}']);
  });

  it('centrifugo: connect with a token, then subscribe on the connect reply, then subscribed', () => {
    const p = socketProtocol('centrifugo', { channel: 'thread:t1', hmacSecret: 'k', user: 'b3' });
    const opening = JSON.parse(p.opening()) as { id: number; connect: { token: string } };
    expect(opening.id).toBe(1);
    const claims = JSON.parse(Buffer.from(opening.connect.token.split('.')[1]!, 'base64url').toString());
    expect(claims.sub).toBe('b3');
    expect(claims.exp).toBeGreaterThan(Date.now() / 1000);

    const afterConnect = p.control(msg('{"id":1,"connect":{"client":"c","ping":25,"pong":true}}'));
    expect(JSON.parse(afterConnect.reply!)).toEqual({ id: 2, subscribe: { channel: 'thread:t1' } });
    expect(afterConnect.subscribed).toBeUndefined();
    expect(p.control(msg('{"id":2,"subscribe":{}}'))).toEqual({ subscribed: true });
  });

  it("centrifugo: a user's sockets share one signed connect command", () => {
    const open = (user: string, secret = 'k') =>
      socketProtocol('centrifugo', { channel: 'thread:t1', hmacSecret: secret, user }).opening();
    const now = jest.spyOn(Date, 'now').mockReturnValue(1_800_000_000_000);
    const first = open('u1');
    // Signed again, a later call would carry a later expiry.
    now.mockReturnValue(1_800_000_005_000);
    expect(open('u1')).toBe(first);
    now.mockRestore();
    expect(open('u1')).not.toBe(open('u2'));
    expect(open('u1')).not.toBe(open('u1', 'other'));
  });

  it('centrifugo: answers pings, counts errors and disconnects, splits batched frames', () => {
    const p = socketProtocol('centrifugo', { channel: 'thread:t1', hmacSecret: 'k' });
    expect(p.control(msg('{}'))).toEqual({ reply: '{}' });
    expect(parseReply(p.control(msg('{}')).reply!)).toEqual({ kind: 'ping' });
    expect(p.control(msg('{"id":2,"error":{"code":103,"message":"permission denied"}}'))).toEqual({
      error: '103',
    });
    expect(p.control(msg('{"push":{"disconnect":{"code":3501,"reason":"x"}}}'))).toEqual({
      error: 'disconnect 3501',
    });
    const seen: string[] = [];
    p.messages(msg('{"a":1}\n{"b":2}'), (m) => seen.push(m.toString()));
    expect(seen).toEqual(['{"a":1}', '{"b":2}']);
  });

  it('centrifugo: refuses to start without a secret to sign tokens with', () => {
    expect(() => socketProtocol('centrifugo', { channel: 'thread:t1' })).toThrow(/HMAC secret/);
  });
});
