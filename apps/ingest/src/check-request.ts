import type { Static, TSchema } from '@sinclair/typebox';
import { Id, validate } from '@threadcast/contracts';
import { HttpError } from './http-error';

/** A request body checked against its schema, or a 400 naming the field (`author.id`). */
export function checkBody<S extends TSchema>(schema: S, body: unknown): Static<S> {
  const checked = validate(schema, body);
  if (checked.ok) return checked.value;
  if (checked.field === '(value)') {
    throw new HttpError(400, 'invalid_request', 'the body must be a JSON object');
  }
  throw new HttpError(400, 'invalid_request', checked.message, { field: checked.field });
}

/** A path segment that must be an id (`threadId`, `id`), or a 400 naming it. */
export function checkPathId(name: string, value: string | undefined): string {
  if (value !== undefined && validate(Id, value).ok) return value;
  throw new HttpError(400, 'invalid_request', `${name}: expected 1 to 128 letters, digits, _ . or -`, {
    field: name,
  });
}

const IDEMPOTENCY_KEY = /^[\x20-\x7e]{1,128}$/;

/** The Idempotency-Key header: absent, or 1 to 128 printable ASCII characters. */
export function checkIdempotencyKey(header: string | string[] | undefined): string | undefined {
  if (header === undefined) return undefined;
  if (typeof header === 'string' && IDEMPOTENCY_KEY.test(header)) return header;
  throw new HttpError(
    400,
    'invalid_request',
    'Idempotency-Key: expected 1 to 128 printable ASCII characters',
    {
      field: 'Idempotency-Key',
    },
  );
}
