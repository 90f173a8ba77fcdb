/**
 * The part of the WHATWG WebSocket this client uses. The browser's (and Node 22+'s) global
 * `WebSocket` fits it, and so does the `ws` package's class, so the client imports neither.
 */

// A handler declared through a method has its parameter checked bivariantly: the DOM types
// handlers with `Event` subclasses and `ws` with its own event classes, and both must fit.
type Handler<E> = { bivarianceHack(event: E): void }['bivarianceHack'];

export interface MessageEventLike {
  /** A string for text frames; the gateway sends nothing else. */
  data: unknown;
}

export interface CloseEventLike {
  code: number;
  reason: string;
}

export interface WebSocketLike {
  readonly readyState: number;
  onopen: Handler<unknown> | null;
  onmessage: Handler<MessageEventLike> | null;
  onclose: Handler<CloseEventLike> | null;
  onerror: Handler<unknown> | null;
  send(data: string): void;
  close(code?: number, reason?: string): void;
}

export type WebSocketConstructor = new (url: string) => WebSocketLike;

/** `WebSocket.OPEN`, spelled out because a constructor passed in need not carry the statics. */
export const OPEN = 1;
