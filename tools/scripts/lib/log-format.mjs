// Turns the services' pino JSON lines into one readable line per record for `npm start`:
//   [ingest ] 13:45:01 INFO  comment accepted id=c1 threadId=t1 ms=3
// Lines that are not pino JSON (a crash trace, a library printing) pass through with the prefix.

const LEVELS = { 10: 'TRACE', 20: 'DEBUG', 30: 'INFO', 40: 'WARN', 50: 'ERROR', 60: 'FATAL' };
const LEVEL_COLOURS = { TRACE: 90, DEBUG: 90, WARN: 33, ERROR: 31, FATAL: 31 };
// Shown elsewhere on the line (level, time, msg, the prefix) or pure noise in a local run.
const HIDDEN = new Set(['level', 'time', 'msg', 'pid', 'hostname', 'instance', 'v']);

const paint = (on, code, text) => (on && code ? `\x1b[${code}m${text}\x1b[0m` : text);

function hhmmss(time) {
  const d = new Date(time);
  if (Number.isNaN(d.getTime())) return '--:--:--';
  return [d.getHours(), d.getMinutes(), d.getSeconds()].map((n) => String(n).padStart(2, '0')).join(':');
}

function value(v) {
  if (typeof v === 'string') return /^[^\s"=]+$/.test(v) ? v : JSON.stringify(v);
  if (v === null || typeof v !== 'object') return String(v);
  return JSON.stringify(v);
}

/**
 * @param {{ name: string, width?: number, colour?: number|null }} opts  colour: ANSI code for the
 *   prefix, or null for plain text (not a TTY, NO_COLOR).
 * @returns {(line: string) => string}  the formatted text, possibly several lines (error stacks)
 */
export function createFormatter({ name, width = name.length, colour = null }) {
  const on = colour !== null;
  const prefix = paint(on, colour, `[${name.padEnd(width)}]`);
  return (line) => {
    let rec;
    if (line.startsWith('{')) {
      try {
        rec = JSON.parse(line);
      } catch {
        // not JSON after all: shown as is
      }
    }
    if (!rec || typeof rec !== 'object' || typeof rec.level !== 'number') return `${prefix} ${line}`;

    const level = LEVELS[rec.level] ?? `L${rec.level}`;
    const parts = [hhmmss(rec.time), paint(on, LEVEL_COLOURS[level], level.padEnd(5))];
    if (rec.msg !== undefined) parts.push(String(rec.msg));
    const stacks = [];
    for (const [k, v] of Object.entries(rec)) {
      if (HIDDEN.has(k) || v === undefined) continue;
      if ((k === 'service' || k === 'name') && v === name) continue; // already in the prefix
      if (v && typeof v === 'object' && typeof v.stack === 'string') {
        // pino's error serializer: {type, message, stack, ...}; the stack goes below the line.
        const { type: _type, message, stack, ...more } = v;
        parts.push(paint(on, 90, `${k}=`) + value(message ?? ''));
        for (const [mk, mv] of Object.entries(more)) parts.push(paint(on, 90, `${k}.${mk}=`) + value(mv));
        stacks.push(...stack.split('\n').slice(1));
        continue;
      }
      parts.push(paint(on, 90, `${k}=`) + value(v));
    }
    return [`${prefix} ${parts.join(' ')}`, ...stacks.map((s) => `${prefix}   ${s.trim()}`)].join('\n');
  };
}

/** Whether to colour output written to `stream`. */
export function useColour(stream) {
  return Boolean(stream.isTTY) && !('NO_COLOR' in process.env) && process.env.TERM !== 'dumb';
}
