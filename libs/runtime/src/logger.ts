import { hostname } from 'node:os';
import pino, { type Logger } from 'pino';

export type { Logger };

/** JSON logs on stdout; secrets are redacted wherever they appear under these keys. */
export function createLogger(opts: { service: string; level: string; instanceId?: string }): Logger {
  return pino({
    level: opts.level,
    base: { service: opts.service, instance: opts.instanceId ?? defaultInstanceId() },
    redact: {
      paths: [
        'password',
        '*.password',
        'sasl.password',
        'token',
        '*.token',
        'authorization',
        '*.authorization',
        'headers.authorization',
        'req.headers.authorization',
        'apiKey',
        '*.apiKey',
      ],
      censor: '[redacted]',
    },
  });
}

export function defaultInstanceId(): string {
  return `${hostname()}-${process.pid}`;
}
