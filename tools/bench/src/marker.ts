/**
 * Every benchmark event carries `tcb:<seq>:<t>:` in its text (the event's html, or the comment
 * body that becomes it): its sequence number within its channel and the injection time in µs
 * of the machine's monotonic clock, which every process on the machine shares. A load generator
 * finds it with one indexOf and a digit scan, without parsing the frame's JSON.
 */
export const MARKER_PREFIX = 'tcb:';
const PREFIX = Buffer.from(MARKER_PREFIX);
const COLON = 0x3a;
const ZERO = 0x30;

export function markerText(seq: number, tMicros: number): string {
  return `${MARKER_PREFIX}${seq}:${Math.round(tMicros)}:`;
}

export interface Marker {
  seq: number;
  t: number;
}

/** The first marker in `buf`, or undefined when there is none (a control frame). */
export function readMarker(buf: Buffer): Marker | undefined {
  const at = buf.indexOf(PREFIX);
  if (at < 0) return undefined;
  let i = at + PREFIX.length;
  let seq = 0;
  let digits = 0;
  for (; i < buf.length; i++, digits++) {
    const d = buf[i]! - ZERO;
    if (d < 0 || d > 9) break;
    seq = seq * 10 + d;
  }
  if (digits === 0 || buf[i] !== COLON) return undefined;
  let t = 0;
  digits = 0;
  for (i++; i < buf.length; i++, digits++) {
    const d = buf[i]! - ZERO;
    if (d < 0 || d > 9) break;
    t = t * 10 + d;
  }
  if (digits === 0 || buf[i] !== COLON) return undefined;
  return { seq, t };
}
