/**
 * What a failed produce means, from the kafkajs error `type` (the broker's error code name):
 *
 * - `record`: the broker refused a record batch for what it holds: a batch over the topic's
 *   `max.message.bytes` (MESSAGE_TOO_LARGE), over the segment size (RECORD_LIST_TOO_LARGE), or a
 *   record that failed the broker's validation (INVALID_RECORD, e.g. no key on a compacted topic).
 *   Sending it again never succeeds, but the batch's other records may: the keyed producer splits
 *   the request until the refusal is down to one record (as Java's producer splits a batch on
 *   MESSAGE_TOO_LARGE) and reports that record, which the stage dead-letters.
 * - `operator`: refused whatever the records are, and no retry helps until someone changes the
 *   cluster or the service (ACLs, an acks or message format the broker does not accept, a topic
 *   policy, a clock far off the broker's). No record is at fault, so nothing is dead-lettered: the
 *   stage keeps reading again with backoff and logs an ERROR per attempt.
 * - `transient`: everything else (connection loss, leader moves, timeouts). kafkajs itself retries
 *   what it marks retriable, CORRUPT_MESSAGE included (a checksum broken on the way; kafkajs'
 *   batches are well formed, and a broker reports a record's own fault as INVALID_RECORD); what
 *   still reaches the stage is read again with backoff.
 */
export type ProduceErrorKind = 'record' | 'operator' | 'transient';

const RECORD_ERRORS: ReadonlySet<string> = new Set([
  'MESSAGE_TOO_LARGE',
  'RECORD_LIST_TOO_LARGE',
  'INVALID_RECORD',
]);

const OPERATOR_ERRORS: ReadonlySet<string> = new Set([
  'TOPIC_AUTHORIZATION_FAILED',
  'CLUSTER_AUTHORIZATION_FAILED',
  'TRANSACTIONAL_ID_AUTHORIZATION_FAILED',
  'SASL_AUTHENTICATION_FAILED',
  'INVALID_REQUIRED_ACKS',
  'UNSUPPORTED_FOR_MESSAGE_FORMAT',
  'UNSUPPORTED_VERSION',
  'UNSUPPORTED_COMPRESSION_TYPE',
  'INVALID_TIMESTAMP',
  'POLICY_VIOLATION',
  'INVALID_TOPIC_EXCEPTION',
]);

/** The broker error type of a kafkajs error, looking through its causes. */
export function produceErrorType(e: unknown): string | undefined {
  for (let c = e, depth = 0; c !== null && typeof c === 'object' && depth < 5; depth++) {
    const type = (c as { type?: unknown }).type;
    if (typeof type === 'string') return type;
    c = (c as { cause?: unknown }).cause;
  }
  return undefined;
}

export function produceErrorKind(e: unknown): ProduceErrorKind {
  const type = produceErrorType(e);
  if (type === undefined) return 'transient';
  if (RECORD_ERRORS.has(type)) return 'record';
  if (OPERATOR_ERRORS.has(type)) return 'operator';
  return 'transient';
}
