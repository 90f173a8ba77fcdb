/**
 * An answer other than success, with a stable `code` clients can branch on. Every error the API
 * returns has the body `{error:{code,message,field?}}`; `headers` carries Retry-After and the like.
 */
export class HttpError extends Error {
  readonly status: number;
  readonly code: string;
  readonly field: string | undefined;
  readonly headers: Record<string, string>;
  constructor(
    status: number,
    code: string,
    message: string,
    opts: { field?: string; headers?: Record<string, string>; cause?: unknown } = {},
  ) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = 'HttpError';
    this.status = status;
    this.code = code;
    this.field = opts.field;
    this.headers = opts.headers ?? {};
  }

  body(): ErrorBody {
    return errorBody(this.code, this.message, this.field);
  }
}

export interface ErrorBody {
  error: { code: string; message: string; field?: string };
}

export function errorBody(code: string, message: string, field?: string): ErrorBody {
  return { error: field === undefined ? { code, message } : { code, message, field } };
}

export function kafkaUnavailable(message: string, retryAfterSeconds: number, cause?: unknown): HttpError {
  return new HttpError(503, 'kafka_unavailable', message, {
    headers: { 'retry-after': String(retryAfterSeconds) },
    cause,
  });
}
