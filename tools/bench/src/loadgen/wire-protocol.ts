/**
 * What a receiver's socket says and understands, per server: threadcast's gateway protocol
 * (subscribe -> subscribed, one event per frame) or Centrifugo's JSON protocol (connect with a
 * JWT -> subscribe -> subscribed, pings, several messages per frame). Event frames are found by
 * their marker (marker.ts) before any of this runs; this handles the rest.
 */
import {
  connectCommand,
  connectToken,
  forEachMessage,
  parseReply,
  subscribeCommand,
} from './centrifugo-protocol';

export type WireProtocol = 'threadcast' | 'centrifugo';

/** What a control message (not an event) means for the socket. */
export interface ControlOutcome {
  /** The subscription is confirmed. */
  subscribed?: true;
  /** Counted by this name; fails a socket that is not subscribed yet (`error <name>`). */
  error?: string;
  /** Counted by this name only. */
  notice?: string;
  /** To send back. */
  reply?: string;
}

export interface SocketProtocol {
  /** The first message, once the WebSocket is open. */
  opening(): string;
  /** Each message of a WebSocket frame. */
  messages(frame: Buffer, each: (message: Buffer) => void): void;
  control(message: Buffer): ControlOutcome;
}

export interface ProtocolOptions {
  channel: string;
  /** Centrifugo: the HMAC secret its tokens are signed with, and the user id (`sub`, default bench). */
  hmacSecret?: string;
  user?: string;
}

const whole = (frame: Buffer, each: (message: Buffer) => void) => each(frame);

function threadcast(o: ProtocolOptions): SocketProtocol {
  return {
    opening: () => JSON.stringify({ op: 'subscribe', channel: o.channel }),
    messages: whole,
    control(message) {
      let frame: { op?: string; code?: string };
      try {
        frame = JSON.parse(message.toString('utf8'));
      } catch {
        return { notice: 'unparsable_frame' };
      }
      if (frame.op === 'subscribed') return { subscribed: true };
      if (frame.op === 'error') return { error: frame.code ?? 'error' };
      if (frame.op === 'reset') return { notice: 'reset' };
      return {};
    },
  };
}

/**
 * One connect command per secret and user, signed once (valid for a day): the load generator
 * does not spend an HMAC and a JSON encoding per socket, the server still verifies each.
 */
const connects = new Map<string, string>();
function cachedConnect(secret: string, user: string): string {
  const key = `${secret}\n${user}`;
  let command = connects.get(key);
  if (command === undefined) {
    command = connectCommand(connectToken(secret, user, Math.floor(Date.now() / 1000) + 86_400));
    connects.set(key, command);
  }
  return command;
}

function centrifugo(o: ProtocolOptions): SocketProtocol {
  if (!o.hmacSecret) throw new Error('centrifugo protocol: no HMAC secret for the connect token');
  const secret = o.hmacSecret;
  return {
    opening: () => cachedConnect(secret, o.user ?? 'bench'),
    messages: forEachMessage,
    control(message) {
      const r = parseReply(message);
      switch (r.kind) {
        case 'connected':
          return { reply: subscribeCommand(o.channel) };
        case 'subscribed':
          return { subscribed: true };
        case 'ping':
          return { reply: '{}' };
        case 'error':
          return { error: String(r.code) };
        case 'disconnect':
          return { error: `disconnect ${r.code}` };
        case 'unparsable':
          return { notice: 'unparsable_frame' };
        default:
          return {};
      }
    },
  };
}

export function socketProtocol(protocol: WireProtocol, o: ProtocolOptions): SocketProtocol {
  return protocol === 'centrifugo' ? centrifugo(o) : threadcast(o);
}
