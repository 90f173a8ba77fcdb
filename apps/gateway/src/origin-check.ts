/**
 * Cross-site WebSocket hijacking guard. Browsers always send `Origin` on a WebSocket handshake
 * and, unlike for fetch, nothing stops a page on any site from opening one, so the server has to
 * check it. Allowed: an origin on the list, a same-origin page (its host is the handshake's
 * Host), and clients that send no Origin at all (servers, native apps: not a browser, so no
 * ambient credentials to abuse). An empty list allows every origin.
 */
export type OriginCheck = (origin: string | undefined, host: string | undefined) => boolean;

/** `https://Example.com:443/` -> `https://example.com`; undefined when it is not an origin. */
export function normalizeOrigin(text: string): string | undefined {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return undefined;
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return undefined;
  return url.origin;
}

/** An allow-list entry: an http(s) origin with nothing after it (a trailing `/` is fine). */
export function configuredOrigin(text: string): string | undefined {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return undefined;
  }
  const bare = url.pathname === '/' && !url.search && !url.hash && !url.username && !url.password;
  return bare && !text.endsWith('?') && !text.endsWith('#') ? normalizeOrigin(text) : undefined;
}

export function createOriginCheck(allowed: readonly string[]): OriginCheck {
  if (allowed.length === 0) return () => true;
  const list = new Set(allowed.map((o) => normalizeOrigin(o) ?? o));
  return (origin, host) => {
    if (origin === undefined) return true;
    const normalized = normalizeOrigin(origin);
    // `null` (sandboxed frames, file: pages) and garbage are never on the list.
    if (normalized === undefined) return false;
    if (list.has(normalized)) return true;
    return host !== undefined && new URL(normalized).host === host.toLowerCase();
  };
}
