/**
 * The gateway client: one socket, any number of channel subscriptions, resume by cursor after
 * every reconnect, duplicates dropped by eventId. It touches nothing Node-only, so the same code
 * runs in browsers, in Node 22+ (global WebSocket) and in Node with the `ws` package passed in.
 */
import { DEFAULT_BACKOFF, backoffDelay, type BackoffOptions } from './backoff';
import { createChannelState, type ChannelState, type Listener } from './channel-state';
import { isChannelName } from './channel-name';
import { startHeartbeat, type Heartbeat } from './heartbeat';
import {
  CLOSE_CODES,
  PING_FRAME,
  isTerminalClose,
  parseServerFrame,
  subscribeFrame,
  unsubscribeFrame,
  type InvalidServerFrame,
  type ServerFrame,
} from '@threadcast/contracts';
import type { Subscription, SubscriptionHandlers } from './subscription';
import { urlWithToken } from './url-with-token';
import { OPEN, type WebSocketConstructor, type WebSocketLike } from './websocket-like';

export type ClientState = 'connecting' | 'open' | 'reconnecting' | 'closed';

/** Why the connection went away: the close event's code and reason. */
export interface CloseInfo {
  code: number;
  reason: string;
  /** With 'reconnecting': the delay before the next attempt. */
  retryInMs?: number;
}

export interface ClientOptions {
  /** The gateway's WebSocket endpoint, e.g. `wss://rt.example.com/ws`. */
  url: string;
  /** A JWT sent as `?token=`. A function is called at each connect, so a refreshed token is used. */
  token?: string | (() => string | undefined);
  /** Defaults to `globalThis.WebSocket`; pass the `ws` package's class on Node < 22. */
  WebSocketImpl?: WebSocketConstructor;
  /** Reconnect delays: full jitter under a ceiling from initialMs doubling up to maxMs. */
  backoff?: Partial<BackoffOptions>;
  /** A connection open this long counts as healthy: the next drop starts the backoff over. */
  stableAfterMs?: number;
  /** Ping when this long passed with no frame but pongs; give up after two with no frame at all. */
  pingIntervalMs?: number;
  /** Event ids remembered per channel to drop duplicates. */
  recentIdsPerChannel?: number;
  /** [0, 1); the jitter source. */
  random?: () => number;
  /** Epoch ms; the clock for `stableAfterMs`. */
  now?: () => number;
  onStateChange?(state: ClientState, info?: CloseInfo): void;
  /** Errors no subscription can take: error frames naming no subscribed channel, bad frames. */
  onError?(code: string, message: string): void;
}

export interface Client {
  /** Subscribes now if connected, else as soon as the socket opens. */
  subscribe(channel: string, handlers: SubscriptionHandlers): Subscription;
  /** Closes the socket for good. Idempotent. */
  close(): void;
  readonly state: ClientState;
  /** The cursor the client would resume the channel from, if it has one. */
  cursor(channel: string): string | undefined;
}

const DEFAULTS = {
  stableAfterMs: 5_000,
  pingIntervalMs: 25_000,
  recentIdsPerChannel: 5_000,
};

export function createClient(options: ClientOptions): Client {
  const WebSocketImpl =
    options.WebSocketImpl ?? (globalThis as { WebSocket?: WebSocketConstructor }).WebSocket;
  if (!WebSocketImpl) {
    throw new Error('no global WebSocket here: pass WebSocketImpl (e.g. the ws package) in the options');
  }
  const backoff: BackoffOptions = { ...DEFAULT_BACKOFF, ...options.backoff };
  const stableAfterMs = options.stableAfterMs ?? DEFAULTS.stableAfterMs;
  const pingIntervalMs = options.pingIntervalMs ?? DEFAULTS.pingIntervalMs;
  const recentIdsPerChannel = options.recentIdsPerChannel ?? DEFAULTS.recentIdsPerChannel;
  const random = options.random ?? Math.random;
  const now = options.now ?? Date.now;

  const channels = new Map<string, ChannelState>();
  let state: ClientState = 'connecting';
  let socket: WebSocketLike | undefined;
  let heartbeat: Heartbeat | undefined;
  let retryTimer: ReturnType<typeof setTimeout> | undefined;
  /** Failed attempts since the last healthy connection; drives the backoff ceiling. */
  let attempt = 0;
  let openedAt: number | undefined;

  const setState = (next: ClientState, info?: CloseInfo) => {
    state = next;
    options.onStateChange?.(next, info);
  };

  const send = (frame: string) => {
    if (socket?.readyState === OPEN) socket.send(frame);
  };

  /** Stops listening to the current socket, so its late events cannot reach the new one's state. */
  const detach = (): WebSocketLike | undefined => {
    const ws = socket;
    socket = undefined;
    heartbeat?.stop();
    heartbeat = undefined;
    if (ws) {
      ws.onopen = ws.onmessage = ws.onclose = null;
      // Not null: `ws` rethrows an 'error' event that has no listener, e.g. from close() while
      // still connecting.
      ws.onerror = ignore;
    }
    return ws;
  };

  const onFrame = (frame: ServerFrame | InvalidServerFrame | undefined) => {
    if (frame === undefined) return;
    switch (frame.op) {
      case 'event':
        channels.get(frame.channel)?.deliver(frame.event, frame.cursor);
        return;
      case 'subscribed': {
        // A first subscription starts from the server's position, so a drop before the first
        // event still resumes without a gap. A cursor we already hold is older and wins: the
        // server replays from it after this frame.
        const channel = channels.get(frame.channel);
        if (channel && channel.cursor === undefined && frame.cursor !== null) channel.cursor = frame.cursor;
        return;
      }
      case 'reset':
        channels.get(frame.channel)?.reset();
        return;
      case 'presence':
        channels.get(frame.channel)?.presence(frame.count);
        return;
      case 'error': {
        const channel = frame.channel === undefined ? undefined : channels.get(frame.channel);
        if (channel) channel.error(frame.code, frame.message);
        else options.onError?.(frame.code, frame.message);
        return;
      }
      case 'invalid':
        options.onError?.('bad_frame', frame.message);
        return;
      case 'unsubscribed':
      case 'pong':
        return; // already counted by the heartbeat
    }
  };

  const connect = () => {
    const token = typeof options.token === 'function' ? options.token() : options.token;
    const ws = new WebSocketImpl(urlWithToken(options.url, token));
    socket = ws;
    const beat = startHeartbeat(pingIntervalMs, {
      ping: () => send(PING_FRAME),
      dead: () => {
        // A dead peer never completes a close handshake, so do not wait for the close event.
        closeQuietly(detach());
        dropped(CLOSE_CODES.abnormal, 'no frame from the server for two ping intervals');
      },
    });
    heartbeat = beat;
    ws.onopen = () => {
      beat.heard();
      openedAt = now();
      // Before reporting 'open', so a subscribe made from onStateChange is not sent twice.
      for (const channel of channels.values()) send(subscribeFrame(channel.name, channel.cursor));
      setState('open');
    };
    ws.onmessage = (e) => {
      const frame = parseServerFrame(e.data);
      if (frame?.op === 'pong') beat.pong();
      else beat.heard();
      onFrame(frame);
    };
    ws.onclose = (e) => {
      detach();
      dropped(e.code, e.reason);
    };
    // An error event is always followed by a close event, which carries what there is to know.
    ws.onerror = ignore;
  };

  const reconnect = () => {
    retryTimer = undefined;
    try {
      connect();
    } catch (e) {
      dropped(CLOSE_CODES.abnormal, e instanceof Error ? e.message : String(e));
    }
  };

  /** The connection is gone (the socket is already detached): retry, unless told not to. */
  const dropped = (code: number, reason: string) => {
    if (state === 'closed') return;
    if (isTerminalClose(code)) return stop({ code, reason });
    if (openedAt !== undefined && now() - openedAt >= stableAfterMs) attempt = 0;
    openedAt = undefined;
    const retryInMs = backoffDelay(attempt, backoff, random);
    attempt++;
    // Armed before reporting, so an onStateChange that calls close() can cancel it.
    retryTimer = setTimeout(reconnect, retryInMs);
    setState('reconnecting', { code, reason, retryInMs });
  };

  const stop = (info: CloseInfo) => {
    clearTimeout(retryTimer);
    retryTimer = undefined;
    setState('closed', info);
  };

  const leave = (channel: ChannelState, listener: Listener) => {
    if (!channel.listeners.delete(listener) || channel.listeners.size > 0) return;
    // A later subscribe may have replaced a channel that was already left; leave that one be.
    if (channels.get(channel.name) !== channel) return;
    channels.delete(channel.name);
    send(unsubscribeFrame(channel.name));
  };

  setState('connecting');
  connect();

  return {
    subscribe(name, handlers) {
      if (state === 'closed') throw new Error('client is closed');
      if (!isChannelName(name)) {
        throw new TypeError(`bad channel ${JSON.stringify(name)}: use thread:<id>, user:<id> or mod:<id>`);
      }
      let channel = channels.get(name);
      if (!channel) {
        channel = createChannelState(name, recentIdsPerChannel);
        channels.set(name, channel);
        send(subscribeFrame(name, undefined));
      }
      const listener: Listener = { handlers };
      channel.listeners.add(listener);
      const joined = channel;
      return {
        channel: name,
        unsubscribe: () => leave(joined, listener),
      };
    },
    close() {
      if (state === 'closed') return;
      closeQuietly(detach(), CLOSE_CODES.normal, 'client closed');
      stop({ code: CLOSE_CODES.normal, reason: 'client closed' });
    },
    get state() {
      return state;
    },
    cursor(name) {
      return channels.get(name)?.cursor;
    },
  };
}

function ignore(): void {}

/** close() can throw (an invalid code in some runtimes); a socket being let go must not. */
function closeQuietly(ws: WebSocketLike | undefined, code?: number, reason?: string): void {
  try {
    ws?.close(code, reason);
  } catch {
    // nothing to do: the socket is already abandoned
  }
}
