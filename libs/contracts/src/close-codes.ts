/**
 * WebSocket close codes of gateway protocol v1, for the gateway that sends them and the clients
 * that act on them. 4xxx codes are the application's: HTTP status + 4000.
 */
export const CLOSE_CODES = {
  normal: 1000,
  /** What a close event reports when the connection died without a close frame. */
  abnormal: 1006,
  /** The socket kept sending past its rate limit. Reconnecting would be refused again. */
  policyViolation: 1008,
  /** A frame larger than the gateway accepts (ws closes with it itself). */
  messageTooBig: 1009,
  /** The pod is shutting down: reconnect, to another pod if need be. */
  serviceRestart: 1012,
  /** The socket read too slowly, or the pod is full: reconnect later, with backoff. */
  tryAgainLater: 1013,
  /** The token expired while connected: reconnect with a fresh one. */
  tokenExpired: 4401,
  /** The token does not allow this socket. */
  forbidden: 4403,
  /** Too many sockets from this client address on the pod: reconnect later, with backoff. */
  tooManySockets: 4429,
} as const;

/**
 * Close codes after which reconnecting would only be refused again: the client stops and reports
 * them; the app gets a fresh token and creates a new client.
 */
export const TERMINAL_CLOSE_CODES: ReadonlySet<number> = new Set([
  CLOSE_CODES.policyViolation,
  CLOSE_CODES.tokenExpired,
  CLOSE_CODES.forbidden,
]);

export function isTerminalClose(code: number): boolean {
  return TERMINAL_CLOSE_CODES.has(code);
}
