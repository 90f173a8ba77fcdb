/**
 * Close codes after which reconnecting would only be refused again: 1008 (Policy Violation) and
 * the application's 4401/4403 (HTTP 401/403 + 4000: token missing, expired or not allowed).
 * The client stops and reports them; the app gets a fresh token and creates a new client.
 */
export const TERMINAL_CLOSE_CODES: ReadonlySet<number> = new Set([1008, 4401, 4403]);

export function isTerminalClose(code: number): boolean {
  return TERMINAL_CLOSE_CODES.has(code);
}

/** What a close event reports when the connection died without a close frame. */
export const ABNORMAL_CLOSURE = 1006;
export const NORMAL_CLOSURE = 1000;
