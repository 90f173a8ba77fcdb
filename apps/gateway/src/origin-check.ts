/**
 * Cross-site WebSocket hijacking guard. Browsers always send `Origin` on a WebSocket handshake
 * and, unlike for fetch, nothing stops a page on any site from opening one, so the server has to
 * check it. Allowed: an origin on the list (GATEWAY_ALLOWED_ORIGINS, libs/config's `origins`
 * rule: `*` allows every origin, an empty list none), a same-origin page (its host is the
 * handshake's Host), and clients that send no Origin at all (servers, native apps: not a browser,
 * so no ambient credentials to abuse).
 */
import { normalizeOrigin, originAllowed } from '@threadcast/config';

export { configuredOrigin, normalizeOrigin } from '@threadcast/config';

export type OriginCheck = (origin: string | undefined, host: string | undefined) => boolean;

export function createOriginCheck(allowed: readonly string[]): OriginCheck {
  return (origin, host) => {
    if (origin === undefined) return true;
    if (originAllowed(allowed, origin)) return true;
    const normalized = normalizeOrigin(origin);
    // `null` (sandboxed frames, file: pages) and garbage are never same-origin.
    if (normalized === undefined) return false;
    return host !== undefined && new URL(normalized).host === host.toLowerCase();
  };
}
