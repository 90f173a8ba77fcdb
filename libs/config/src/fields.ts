import { readFileSync } from 'node:fs';

/**
 * Field parsers for environment variables. Each field knows its default, its one-line doc and how
 * to turn the raw string into a typed value; a parse failure names what was expected.
 */
export interface Field<T> {
  readonly doc: string;
  /** undefined means the variable is required. */
  readonly default: T | undefined;
  parse(raw: string): T;
}

export class FieldError extends Error {}

export function str(doc: string, def?: string, opts: { allowEmpty?: boolean } = {}): Field<string> {
  return {
    doc,
    default: def,
    parse(raw) {
      if (!opts.allowEmpty && raw.trim() === '') throw new FieldError('must not be empty');
      return raw;
    },
  };
}

export function int(
  doc: string,
  def: number | undefined,
  opts: { min?: number; max?: number } = {},
): Field<number> {
  const { min = Number.MIN_SAFE_INTEGER, max = Number.MAX_SAFE_INTEGER } = opts;
  return {
    doc,
    default: def,
    parse(raw) {
      if (!/^-?\d+$/.test(raw.trim()))
        throw new FieldError(`expected an integer, got ${JSON.stringify(raw)}`);
      const n = Number(raw.trim());
      if (n < min || n > max) throw new FieldError(`expected an integer from ${min} to ${max}, got ${n}`);
      return n;
    },
  };
}

export function port(doc: string, def: number): Field<number> {
  return int(doc, def, { min: 0, max: 65535 });
}

export function bool(doc: string, def: boolean): Field<boolean> {
  return {
    doc,
    default: def,
    parse(raw) {
      const v = raw.trim().toLowerCase();
      if (['1', 'true', 'yes', 'on'].includes(v)) return true;
      if (['0', 'false', 'no', 'off'].includes(v)) return false;
      throw new FieldError(`expected true or false, got ${JSON.stringify(raw)}`);
    },
  };
}

export function oneOf<const T extends string>(doc: string, values: readonly T[], def: T): Field<T> {
  return {
    doc,
    default: def,
    parse(raw) {
      if (!(values as readonly string[]).includes(raw)) {
        throw new FieldError(`expected one of ${values.join('|')}, got ${JSON.stringify(raw)}`);
      }
      return raw as T;
    },
  };
}

/** Comma-separated list; empty items are an error so that `A,,B` does not hide a typo. */
export function list(
  doc: string,
  def: string[] | undefined,
  opts: { allowEmpty?: boolean } = {},
): Field<string[]> {
  return {
    doc,
    default: def,
    parse(raw) {
      if (raw.trim() === '') {
        if (opts.allowEmpty) return [];
        throw new FieldError('must not be empty');
      }
      const items = raw.split(',').map((s) => s.trim());
      // The value is not quoted: a list may hold secrets (INGEST_API_KEYS).
      const empty = items.indexOf('');
      if (empty >= 0) throw new FieldError(`has an empty item (item ${empty + 1} of ${items.length})`);
      return items;
    },
  };
}

/** Optional secret or setting: unset or empty means "not configured". */
export function optional(doc: string): Field<string | undefined> {
  return {
    doc,
    default: undefined,
    parse(raw) {
      return raw === '' ? undefined : raw;
    },
  };
}

const PEM_MARKERS = {
  certificate: /-----BEGIN CERTIFICATE-----/,
  'private key': /-----BEGIN (?:RSA |EC )?PRIVATE KEY-----/,
} as const;

/**
 * Optional path of a PEM file (a CA bundle, a certificate, a private key), read when the config
 * loads so that a missing, unreadable or wrong file stops the start naming its variable. The
 * value stays the path; the error never quotes the file (it may hold a key). Encrypted keys are
 * refused: there is no passphrase setting, and a Secret's file is already the thing to protect.
 */
export function pemFile(doc: string, kind: keyof typeof PEM_MARKERS): Field<string | undefined> {
  return {
    doc,
    default: undefined,
    parse(raw) {
      if (raw === '') return undefined;
      let text: string;
      try {
        text = readFileSync(raw, 'utf8');
      } catch (e) {
        throw new FieldError(`names a file that cannot be read: ${(e as Error).message}`);
      }
      if (kind === 'private key' && /-----BEGIN ENCRYPTED PRIVATE KEY-----/.test(text)) {
        throw new FieldError(`names an encrypted private key (${raw}); give the key unencrypted`);
      }
      if (!PEM_MARKERS[kind].test(text)) throw new FieldError(`names a file with no PEM ${kind} (${raw})`);
      return raw;
    },
  };
}
