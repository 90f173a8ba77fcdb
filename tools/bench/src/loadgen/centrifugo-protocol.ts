/**
 * The client side of Centrifugo's JSON protocol (v2), what a receiver needs of it: an HS256 JWT
 * for the connect command, the connect and subscribe commands, the replies that answer them,
 * pings, and the frames that batch several messages (newline-separated).
 */
import { createHmac } from 'node:crypto';

const NEWLINE = 0x0a;
export const CONNECT_ID = 1;
export const SUBSCRIBE_ID = 2;

const b64url = (s: string | Buffer) => Buffer.from(s).toString('base64url');

/** An HS256 JWT with `sub` and `exp` (seconds), as Centrifugo's `client.token.hmac_secret_key` checks it. */
export function connectToken(secret: string, sub: string, expSeconds: number): string {
  const head = `${b64url('{"alg":"HS256","typ":"JWT"}')}.${b64url(JSON.stringify({ sub, exp: expSeconds }))}`;
  return `${head}.${createHmac('sha256', secret).update(head).digest('base64url')}`;
}

export function connectCommand(token: string): string {
  return JSON.stringify({ id: CONNECT_ID, connect: { token, name: 'threadcast-bench' } });
}

export function subscribeCommand(channel: string): string {
  return JSON.stringify({ id: SUBSCRIBE_ID, subscribe: { channel } });
}

/** Calls `each` with every message of a frame: one per line (a view into `frame`, no copy). */
export function forEachMessage(frame: Buffer, each: (message: Buffer) => void): void {
  let from = 0;
  for (;;) {
    const nl = frame.indexOf(NEWLINE, from);
    const end = nl < 0 ? frame.length : nl;
    if (end > from) each(frame.subarray(from, end));
    if (nl < 0) return;
    from = nl + 1;
  }
}

export type CentrifugoReply =
  | { kind: 'ping' }
  | { kind: 'connected' }
  | { kind: 'subscribed' }
  | { kind: 'error'; code: number; message: string; id?: number }
  | { kind: 'disconnect'; code: number; reason: string }
  | { kind: 'other' }
  | { kind: 'unparsable' };

/** What a message without an event in it says. */
export function parseReply(message: Buffer | string): CentrifugoReply {
  let m: {
    id?: number;
    connect?: unknown;
    subscribe?: unknown;
    error?: { code?: number; message?: string };
    push?: { disconnect?: { code?: number; reason?: string } };
  };
  try {
    m = JSON.parse(typeof message === 'string' ? message : message.toString('utf8'));
  } catch {
    return { kind: 'unparsable' };
  }
  if (m === null || typeof m !== 'object' || Array.isArray(m)) return { kind: 'unparsable' };
  if (m.error) {
    return {
      kind: 'error',
      code: m.error.code ?? 0,
      message: m.error.message ?? '',
      ...(m.id !== undefined ? { id: m.id } : {}),
    };
  }
  if (m.id === CONNECT_ID && m.connect !== undefined) return { kind: 'connected' };
  if (m.id === SUBSCRIBE_ID && m.subscribe !== undefined) return { kind: 'subscribed' };
  if (m.push?.disconnect) {
    return { kind: 'disconnect', code: m.push.disconnect.code ?? 0, reason: m.push.disconnect.reason ?? '' };
  }
  // The server's ping is an empty object; the client answers with one.
  if (Object.keys(m).length === 0) return { kind: 'ping' };
  return { kind: 'other' };
}
