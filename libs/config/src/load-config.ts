import { FieldError, type Field } from './fields';

export type Schema = Record<string, Field<unknown>>;
export type ConfigOf<S extends Schema> = { [K in keyof S]: S[K] extends Field<infer T> ? T : never };

/** A bad or missing environment variable; `message` is one line naming the variable. */
export class ConfigError extends Error {
  readonly variable: string;
  constructor(variable: string, problem: string) {
    super(`invalid configuration: ${variable} ${problem}`);
    this.name = 'ConfigError';
    this.variable = variable;
  }
}

/**
 * Reads every variable of the schema from `env` once and returns the typed values. Throws a
 * ConfigError naming the first bad variable.
 */
export function loadConfig<S extends Schema>(schema: S, env: NodeJS.ProcessEnv = process.env): ConfigOf<S> {
  const out: Record<string, unknown> = {};
  for (const [name, field] of Object.entries(schema)) {
    const raw = env[name];
    if (raw === undefined && field.default !== undefined) {
      out[name] = field.default;
      continue;
    }
    try {
      // An unset field without default parses as empty: optional fields accept it, others say so.
      out[name] = field.parse(raw ?? '');
    } catch (e) {
      if (e instanceof FieldError) throw new ConfigError(name, e.message);
      throw e;
    }
  }
  return out as ConfigOf<S>;
}

/** Markdown table of a schema, for docs/configuration.md. */
export function describeConfig(schema: Schema): string {
  const rows = Object.entries(schema).map(([name, f]) => {
    const def =
      f.default === undefined
        ? ''
        : `\`${Array.isArray(f.default) ? f.default.join(',') : String(f.default)}\``;
    return `| \`${name}\` | ${def} | ${f.doc} |`;
  });
  return ['| variable | default | meaning |', '| --- | --- | --- |', ...rows].join('\n');
}
