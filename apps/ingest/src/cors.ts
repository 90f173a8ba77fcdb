/**
 * CORS for browser apps on another origin (the demo page on :8000 posting to ingest on :8080).
 * Only the origins in INGEST_CORS_ORIGINS (or `*`) get the headers; others get none, and the
 * browser keeps the answer from the page. Preflights are answered before the API-key check:
 * browsers send them without credentials.
 */
import { FieldError, type Field } from '@threadcast/config';

export const CORS_METHODS = 'GET, POST, PUT, PATCH, DELETE, OPTIONS';
export const CORS_HEADERS = 'content-type, idempotency-key, x-api-key, authorization, traceparent';
/** Response headers a page may read (CORS hides all but a few by default). */
export const CORS_EXPOSED = 'traceparent, x-trace-id, retry-after';
const MAX_AGE_SECONDS = 600;

/** Comma-separated origins (`http(s)://host[:port]`, no path) or `*`. */
export function corsOrigins(doc: string): Field<string[]> {
  return {
    doc,
    default: [],
    parse(raw) {
      if (raw.trim() === '') return [];
      const items = raw.split(',').map((s) => s.trim());
      for (const item of items) {
        if (item === '*') continue;
        let url: URL | undefined;
        try {
          url = new URL(item);
        } catch {
          url = undefined;
        }
        if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:') || url.origin !== item) {
          throw new FieldError(
            `expected origins like http://localhost:8000 (scheme, host, optional port; no path or trailing slash) or *, got ${JSON.stringify(item)}`,
          );
        }
      }
      return items;
    },
  };
}

/** The headers for a request from `origin`, or undefined when that origin is not allowed. */
export function corsHeaders(
  allowed: readonly string[],
  origin: string | undefined,
  preflight: boolean,
): Record<string, string> | undefined {
  if (origin === undefined || allowed.length === 0) return undefined;
  const any = allowed.includes('*');
  if (!any && !allowed.includes(origin)) return undefined;
  const headers: Record<string, string> = {
    'access-control-allow-origin': any ? '*' : origin,
    'access-control-expose-headers': CORS_EXPOSED,
  };
  if (!any) headers.vary = 'Origin';
  if (preflight) {
    headers['access-control-allow-methods'] = CORS_METHODS;
    headers['access-control-allow-headers'] = CORS_HEADERS;
    headers['access-control-max-age'] = String(MAX_AGE_SECONDS);
  }
  return headers;
}
