/**
 * Turns a `deliveries` record into the bytes every subscribed socket receives, WebSocket framing
 * included. The record value is already the client frame minus its cursor
 * (`{"op":"event","channel":...,"event":{...}}`), so the gateway only splices
 * `,"cursor":"..."` in before the closing brace and puts the frame header in front: one
 * allocation and one copy per record, whatever the number of sockets, no JSON parsing, and no
 * per-socket framing (a server frame is unmasked, so its bytes are the same for every socket).
 */

const OPEN_BRACE = 0x7b;
const QUOTE = 0x22;
const CLOSE_BRACE = 0x7d;
/** FIN + opcode 1 (text): a whole message in one frame. */
const FIN_TEXT = 0x81;

/**
 * The event as a complete WebSocket text frame (RFC 6455 5.2, unmasked), or undefined when the
 * value is not a JSON object frame (null, empty, or not `{"...}` with only whitespace after the
 * last brace); such a record cannot be spliced.
 */
export function eventFrame(value: Buffer | null, cursor: string): Buffer | undefined {
  if (value === null || value.length < 3 || value[0] !== OPEN_BRACE || value[1] !== QUOTE) return undefined;
  let end = value.length - 1;
  while (end > 1 && isWhitespace(value[end]!)) end--;
  if (value[end] !== CLOSE_BRACE) return undefined;
  // `,"cursor":"` is 11 bytes, then the cursor, then `"}`.
  const payload = end + 13 + cursor.length;
  const head = frameHeaderLength(payload);
  const out = Buffer.allocUnsafe(head + payload);
  writeFrameHeader(out, head, payload);
  value.copy(out, head, 0, end);
  out.write(`,"cursor":"${cursor}"}`, head + end, 'latin1');
  return out;
}

/** A whole text message as one WebSocket frame (unmasked), to write the same bytes to many sockets. */
export function textFrame(text: string): Buffer {
  const payload = Buffer.byteLength(text);
  const head = frameHeaderLength(payload);
  const out = Buffer.allocUnsafe(head + payload);
  writeFrameHeader(out, head, payload);
  out.write(text, head, 'utf8');
  return out;
}

function frameHeaderLength(payload: number): number {
  return payload < 126 ? 2 : payload < 65_536 ? 4 : 10;
}

function writeFrameHeader(out: Buffer, head: number, payload: number): void {
  out[0] = FIN_TEXT;
  if (head === 2) out[1] = payload;
  else if (head === 4) {
    out[1] = 126;
    out.writeUInt16BE(payload, 2);
  } else {
    out[1] = 127;
    out.writeUInt32BE(0, 2); // frames stay far below 4 GiB
    out.writeUInt32BE(payload, 6);
  }
}

/** Bytes of the frame's payload (the JSON text), without the header. */
export function payloadLength(frame: Buffer): number {
  const len = frame[1]! & 0x7f;
  return len < 126 ? len : len === 126 ? frame.readUInt16BE(2) : frame.readUInt32BE(6);
}

function isWhitespace(b: number): boolean {
  return b === 0x20 || b === 0x0a || b === 0x0d || b === 0x09;
}
