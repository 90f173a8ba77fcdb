import { HEADERS } from '@threadcast/contracts';
import type { IncomingHttpHeaders } from 'node:http';

// W3C trace context, version 00 layout; all-zero ids are invalid by the spec.
const TRACEPARENT = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-[0-9a-f]{2}$/;
const MAX_TRACESTATE = 512;

/**
 * The request's trace context as Kafka headers, so the trace continues through every stage.
 * A malformed traceparent is dropped (as the W3C spec says), and tracestate only rides with a
 * valid traceparent.
 */
export function traceHeaders(headers: IncomingHttpHeaders): Record<string, string> {
  const tp = headers.traceparent;
  if (typeof tp !== 'string') return {};
  const value = tp.trim().toLowerCase();
  const m = TRACEPARENT.exec(value);
  if (!m || m[1] === 'ff' || /^0+$/.test(m[2]!) || /^0+$/.test(m[3]!)) return {};
  const out: Record<string, string> = { [HEADERS.traceparent]: value };
  const ts = headers.tracestate;
  if (typeof ts === 'string' && ts.length > 0 && ts.length <= MAX_TRACESTATE) out[HEADERS.tracestate] = ts;
  return out;
}
