/**
 * Sizes in a produce request (record batch format v2), estimated from above, so that a request
 * built to a byte budget is never larger. Every varint is counted at its longest (5 bytes; the
 * timestamp delta 10), and every record as if it were alone in its partition's batch (61-byte
 * batch header, partition index and length).
 */

/** The request's own header, client id included (up to 60 characters), acks, timeout, arrays. */
export const REQUEST_OVERHEAD_BYTES = 100;

const BATCH_BYTES = 61 + 4 + 4;
const RECORD_BYTES = 5 + 1 + 10 + 5 + 5 + 5 + 5;
const HEADER_BYTES = 5 + 5;

const size = (v: string | Buffer | null | undefined): number =>
  v === null || v === undefined ? 0 : typeof v === 'string' ? Buffer.byteLength(v) : v.length;

/** A topic's entry in a request: its name and its partitions array. */
export function topicBytes(topic: string): number {
  return 2 + Buffer.byteLength(topic) + 4;
}

export function recordBytes(
  key: string | Buffer | null,
  value: string | Buffer | null,
  headers: Record<string, string> | undefined,
): number {
  let n = BATCH_BYTES + RECORD_BYTES + size(key) + size(value);
  if (headers) for (const name in headers) n += HEADER_BYTES + size(name) + size(headers[name]);
  return n;
}
