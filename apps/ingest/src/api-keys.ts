import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';

/**
 * Checks the key a request presents (`x-api-key`, or `Authorization: Bearer <key>`) against the
 * configured ones. Both sides are hashed first so the comparison takes the same time whatever the
 * lengths, and every configured key is compared, so timing tells nothing about which one is close.
 * No keys configured means the API is open.
 */
export function createApiKeyCheck(keys: readonly string[]): (headers: IncomingHttpHeaders) => boolean {
  if (keys.length === 0) return () => true;
  const digests = keys.map(digest);
  return (headers) => {
    const presented = presentedKey(headers);
    if (presented === undefined) return false;
    const d = digest(presented);
    let ok = false;
    for (const k of digests) ok = timingSafeEqual(k, d) || ok;
    return ok;
  };
}

export function presentedKey(headers: IncomingHttpHeaders): string | undefined {
  const header = headers['x-api-key'];
  if (typeof header === 'string' && header !== '') return header;
  const auth = headers.authorization;
  if (auth === undefined) return undefined;
  const m = /^Bearer\s+(\S+)\s*$/i.exec(auth);
  return m?.[1];
}

function digest(key: string): Buffer {
  return createHash('sha256').update(key).digest();
}
