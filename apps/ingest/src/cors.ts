/**
 * CORS for browser apps on another origin (the demo page on :8000 posting to ingest on :8080).
 * Only the origins in INGEST_CORS_ORIGINS (libs/config's `origins` rule: `*` for all, empty for
 * none) get the headers; others get none, and the browser keeps the answer from the page. Preflights are answered before the API-key check:
 * browsers send them without credentials.
 */
import { originAllowed } from '@threadcast/config';

export const CORS_METHODS = 'GET, POST, PUT, PATCH, DELETE, OPTIONS';
export const CORS_HEADERS = 'content-type, idempotency-key, x-api-key, authorization, traceparent';
/** Response headers a page may read (CORS hides all but a few by default). */
export const CORS_EXPOSED = 'traceparent, x-trace-id, retry-after';
const MAX_AGE_SECONDS = 600;

/** The headers for a request from `origin`, or undefined when that origin is not allowed. */
export function corsHeaders(
  allowed: readonly string[],
  origin: string | undefined,
  preflight: boolean,
): Record<string, string> | undefined {
  if (origin === undefined || !originAllowed(allowed, origin)) return undefined;
  const any = allowed.includes('*');
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
