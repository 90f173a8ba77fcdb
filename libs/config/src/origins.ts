import { FieldError, type Field } from './fields';

/**
 * Allowed browser origins, one rule for every service: a comma-separated list of http(s) origins
 * (`scheme://host[:port]`, a trailing `/` is fine, nothing else after), or `*` alone for every
 * origin. Empty or unset means none. Entries are normalized (`https://A.example:443/` ->
 * `https://a.example`), the form browsers send in `Origin`.
 */
export function origins(doc: string): Field<string[]> {
  return {
    doc,
    default: [],
    parse(raw) {
      if (raw.trim() === '') return [];
      const items = raw.split(',').map((s) => s.trim());
      if (items.includes('*')) {
        if (items.length > 1) throw new FieldError('* allows every origin: give it alone, not in a list');
        return ['*'];
      }
      return items.map((item) => {
        const origin = configuredOrigin(item);
        if (origin === undefined) {
          throw new FieldError(
            `expected origins such as https://www.example.com, got ${JSON.stringify(item)}`,
          );
        }
        return origin;
      });
    },
  };
}

/** `https://Example.com:443/` -> `https://example.com`; undefined when it is not an http(s) origin. */
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

/**
 * Whether a request's `Origin` is on the list: `*` matches every origin, an empty list none.
 * `null` (sandboxed frames, file: pages) and anything that is not an http(s) origin never match
 * a listed origin.
 */
export function originAllowed(allowed: readonly string[], origin: string): boolean {
  if (allowed.includes('*')) return true;
  const normalized = normalizeOrigin(origin);
  return normalized !== undefined && allowed.includes(normalized);
}
