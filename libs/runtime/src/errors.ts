/**
 * The error hierarchy every stage uses to decide what to do with a failure:
 * retriable errors are retried with jittered backoff; anything else about a record is poison and
 * goes to the dead-letter topic with its `code` and message as the reason.
 */
export class ThreadcastError extends Error {
  readonly code: string;
  readonly retriable: boolean;
  constructor(code: string, message: string, opts: { retriable?: boolean; cause?: unknown } = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = new.target.name;
    this.code = code;
    this.retriable = opts.retriable ?? false;
  }
}

/** A record that can never be processed: dead-letter it and move on. */
export class PoisonRecordError extends ThreadcastError {
  readonly field: string | undefined;
  constructor(code: string, message: string, opts: { field?: string; cause?: unknown } = {}) {
    super(code, message, { retriable: false, cause: opts.cause });
    this.field = opts.field;
  }
}

/** A passing failure (broker away, timeout): try the same record again later. */
export class RetriableError extends ThreadcastError {
  constructor(code: string, message: string, opts: { cause?: unknown } = {}) {
    super(code, message, { retriable: true, cause: opts.cause });
  }
}

/** True when `e` says it may succeed if tried again (ours, or kafkajs' `retriable` flag). */
export function isRetriable(e: unknown): boolean {
  return typeof e === 'object' && e !== null && (e as { retriable?: unknown }).retriable === true;
}
