/**
 * Turns a `deliveries` record into the bytes every subscribed socket receives. The record value
 * is already the client frame minus its cursor (`{"op":"event","channel":...,"event":{...}}`),
 * so the gateway only splices `,"cursor":"..."` in before the closing brace: one allocation and
 * one copy per record, whatever the number of sockets, and no JSON parsing.
 */

const OPEN_BRACE = 0x7b;
const QUOTE = 0x22;
const CLOSE_BRACE = 0x7d;

/**
 * The frame with its cursor, or undefined when the value is not a JSON object frame (null, empty,
 * or not `{"...}` with only whitespace after the last brace); such a record cannot be spliced.
 */
export function frameWithCursor(value: Buffer | null, cursor: string): Buffer | undefined {
  if (value === null || value.length < 3 || value[0] !== OPEN_BRACE || value[1] !== QUOTE) return undefined;
  let end = value.length - 1;
  while (end > 1 && isWhitespace(value[end]!)) end--;
  if (value[end] !== CLOSE_BRACE) return undefined;
  // `,"cursor":"` is 11 bytes, then the cursor, then `"}`.
  const out = Buffer.allocUnsafe(end + 13 + cursor.length);
  value.copy(out, 0, 0, end);
  out.write(`,"cursor":"${cursor}"}`, end, 'latin1');
  return out;
}

function isWhitespace(b: number): boolean {
  return b === 0x20 || b === 0x0a || b === 0x0d || b === 0x09;
}
