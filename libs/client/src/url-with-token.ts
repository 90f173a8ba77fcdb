/**
 * Browsers cannot set headers on a WebSocket handshake, so the gateway takes its JWT from the
 * query string. String concatenation, not `URL`, so a relative url such as `/ws` still works.
 */
export function urlWithToken(url: string, token: string | undefined): string {
  if (!token) return url;
  return `${url}${url.includes('?') ? '&' : '?'}token=${encodeURIComponent(token)}`;
}
