import { ConfigError, FieldError, type Field } from '@threadcast/config';
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';

/** Who is calling: the name of the API key it presented (or `anonymous`), and what it may do. */
export interface Caller {
  /** Low-cardinality (one per configured key): scopes idempotency keys, labels logs and metrics. */
  readonly name: string;
  /** May send `asModerator: true` on edits and deletes. */
  readonly moderator: boolean;
}

/** One configured key: `name:secret`, `name:secret:moderator`, or a bare `secret` (older form). */
export interface ApiKey extends Caller {
  readonly secret: string;
}

/** The caller of every request when no keys are configured and INGEST_ALLOW_ANONYMOUS is on. */
export const ANONYMOUS: Caller = Object.freeze({ name: 'anonymous', moderator: false });

const NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;
const RESERVED = new Set([ANONYMOUS.name, 'none']);

/**
 * INGEST_API_KEYS: comma-separated `name:secret[:moderator]`. A bare secret (no `:`) is still
 * accepted; its caller name is `key-` and the first 8 hex digits of the secret's SHA-256. Errors
 * name the item by position, never by content: the list holds secrets.
 */
export function apiKeyList(doc: string): Field<ApiKey[]> {
  return {
    doc,
    default: [],
    parse(raw) {
      if (raw.trim() === '') return [];
      const items = raw.split(',').map((s) => s.trim());
      const keys = items.map((item, i) => parseKey(item, `item ${i + 1} of ${items.length}`));
      const names = new Set<string>();
      const secrets = new Set<string>();
      keys.forEach((k, i) => {
        if (names.has(k.name)) throw new FieldError(`names caller ${k.name} twice (item ${i + 1})`);
        if (secrets.has(k.secret)) throw new FieldError(`repeats a secret (item ${i + 1})`);
        names.add(k.name);
        secrets.add(k.secret);
      });
      return keys;
    },
  };
}

function parseKey(item: string, where: string): ApiKey {
  const parts = item.split(':');
  if (parts.some((p) => p === '')) throw new FieldError(`has an empty name or secret (${where})`);
  if (parts.length === 1) {
    const name = `key-${createHash('sha256').update(item).digest('hex').slice(0, 8)}`;
    return { name, secret: item, moderator: false };
  }
  const [name, secret, grant] = parts as [string, string, string | undefined];
  if (parts.length > 3 || (grant !== undefined && grant !== 'moderator')) {
    throw new FieldError(`expected name:secret or name:secret:moderator (${where})`);
  }
  if (!NAME.test(name) || RESERVED.has(name)) {
    throw new FieldError(
      `caller names are 1 to 64 letters, digits, _ . or - and not ${[...RESERVED].join(' or ')} (${where})`,
    );
  }
  return { name, secret, moderator: grant === 'moderator' };
}

/**
 * Tells who presents the key of a request (`x-api-key`, or `Authorization: Bearer <key>`), or
 * undefined when nobody known does. Both sides are hashed first so the comparison takes the same
 * time whatever the lengths, and every configured key is compared, so timing tells nothing about
 * which one is close. Without keys every request is ANONYMOUS, but only when `allowAnonymous`
 * says so: otherwise there is nothing to check against and this throws a ConfigError.
 */
export function createCallerCheck(
  keys: readonly ApiKey[],
  allowAnonymous: boolean,
): (headers: IncomingHttpHeaders) => Caller | undefined {
  if (keys.length === 0) {
    if (!allowAnonymous) {
      throw new ConfigError(
        'INGEST_API_KEYS',
        'is empty: set API keys (name:secret), or INGEST_ALLOW_ANONYMOUS=true to let anyone write as anyone (local development only)',
      );
    }
    return () => ANONYMOUS;
  }
  const known = keys.map((k) => ({
    digest: digest(k.secret),
    caller: { name: k.name, moderator: k.moderator },
  }));
  return (headers) => {
    const presented = presentedKey(headers);
    if (presented === undefined) return undefined;
    const d = digest(presented);
    let found: Caller | undefined;
    for (const k of known) if (timingSafeEqual(k.digest, d)) found = k.caller;
    return found;
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
