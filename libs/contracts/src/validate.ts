import type { TSchema, Static } from '@sinclair/typebox';
import { TypeCompiler, type TypeCheck } from '@sinclair/typebox/compiler';
import { registerFormats } from './formats';

export type Validation<T> =
  { ok: true; value: T } | { ok: false; code: string; message: string; field?: string };

const compiled = new WeakMap<TSchema, TypeCheck<TSchema>>();

function checkerFor<S extends TSchema>(schema: S): TypeCheck<S> {
  let c = compiled.get(schema);
  if (!c) {
    registerFormats();
    c = TypeCompiler.Compile(schema);
    compiled.set(schema, c);
  }
  return c as TypeCheck<S>;
}

/** `/author/id` -> `author.id`; the root is `(value)`. */
function fieldName(path: string): string {
  return path === '' ? '(value)' : path.slice(1).replaceAll('/', '.');
}

/**
 * Checks a parsed value against a schema. On failure, names the most specific field that failed,
 * so a producing team sees `author.id: Expected string to match ...` rather than "invalid".
 */
export function validate<S extends TSchema>(schema: S, value: unknown): Validation<Static<S>> {
  const checker = checkerFor(schema);
  if (checker.Check(value)) return { ok: true, value: value as Static<S> };
  const errors = [...checker.Errors(value)];
  // Unions report the union itself first; the deepest path is the most useful one.
  const best = errors.reduce((a, b) => (b.path.length > a.path.length ? b : a), errors[0]!);
  const field = fieldName(best.path);
  return { ok: false, code: 'schema_violation', field, message: `${field}: ${best.message}` };
}
