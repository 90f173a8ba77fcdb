import { ATTR, SERVICES, SERVICE_PREFIX } from './semconv';
import type { SpanView, TraceView } from './trace-view';

export interface WaterfallOptions {
  /** Characters of the timeline bar. */
  barWidth?: number;
  /** Longest span name column (names are indented by depth, then cut with an ellipsis). */
  nameWidth?: number;
}

/** Milliseconds: two decimals under 10 ms, one above (a hop's gap must stay readable at 2.5 s). */
export function formatMs(ms: number): string {
  return ms < 10 ? ms.toFixed(2) : ms.toFixed(1);
}

export const shortService = (service: string) =>
  service.startsWith(SERVICE_PREFIX) ? service.slice(SERVICE_PREFIX.length) : service;

function cut(text: string, width: number): string {
  return text.length <= width ? text : `${text.slice(0, width - 1)}…`;
}

/** The timeline: the span's share of the whole trace, at least one block. */
export function bar(span: SpanView, trace: Pick<TraceView, 'startUs' | 'endUs'>, width: number): string {
  const range = Math.max(trace.endUs - trace.startUs, 1);
  const from = Math.min(width - 1, Math.floor(((span.startUs - trace.startUs) / range) * width));
  const to = Math.max(
    from + 1,
    Math.ceil(((span.startUs + span.durationUs - trace.startUs) / range) * width),
  );
  const filled = Math.min(to, width) - from;
  return `|${' '.repeat(from)}${'█'.repeat(filled)}${' '.repeat(width - from - filled)}|`;
}

/** Kafka position, channel, sockets, failure: what an on-call engineer looks for on a hop. */
export function extras(span: SpanView): string {
  const a = span.attrs;
  const out: string[] = [];
  if (a[ATTR.topic] !== undefined) out.push(String(a[ATTR.topic]));
  if (a[ATTR.partition] !== undefined) out.push(`p=${a[ATTR.partition]}`);
  const offset = a[ATTR.offset] ?? a[ATTR.offsetLegacy];
  if (offset !== undefined) out.push(`offset=${offset}`);
  if (a[ATTR.channel] !== undefined) out.push(`channel=${a[ATTR.channel]}`);
  if (a[ATTR.sockets] !== undefined) out.push(`sockets=${a[ATTR.sockets]}`);
  // One fan-out span per gateway pod: which pod it was matters.
  if (span.service === SERVICES.gateway && span.instance) out.push(`pod=${span.instance}`);
  if (span.failed) {
    const why = a[ATTR.statusDescription];
    out.push(why === undefined ? 'ERROR' : `ERROR: ${why}`);
  }
  if (span.missingParent) out.push('(parent not in trace)');
  return out.join(' ');
}

const iso = (us: number) => new Date(Math.floor(us / 1000)).toISOString();

function header(t: TraceView): string {
  const parts = [`trace ${t.traceId}`];
  if (t.commentId) parts.push(`comment ${t.commentId}`);
  if (t.threadId) parts.push(`thread ${t.threadId}`);
  parts.push(iso(t.startUs), `${t.spans.length} span${t.spans.length === 1 ? '' : 's'}`);
  return parts.join('  ');
}

function total(t: TraceView): string[] {
  if (t.acceptToSocketMs === null) {
    return [
      `accept -> socket: not delivered: no ${SERVICES.gateway} fan-out span in this trace (still in flight, ` +
        'held for moderation, dead-lettered, or no gateway pod reads its channel); spans arrive in ' +
        'batches every few seconds, so retry before concluding',
    ];
  }
  const lines = [
    `accept -> socket: ${formatMs(t.acceptToSocketMs)} ms (first span start to the end of the last of ` +
      `${t.fanOuts} gateway fan-out span${t.fanOuts === 1 ? '' : 's'})`,
  ];
  if (t.gatewayE2eMs !== null) {
    lines.push(`gateway-measured accept -> write: ${formatMs(t.gatewayE2eMs)} ms (${ATTR.e2eLatencyMs})`);
  }
  return lines;
}

/** The waterfall of one trace: a header, one line per span sorted by start, the totals. */
export function formatWaterfall(t: TraceView, opts: WaterfallOptions = {}): string {
  const barWidth = opts.barWidth ?? 30;
  const nameWidth = opts.nameWidth ?? 60;
  const rows = t.spans.map((s) => ({
    start: formatMs((s.startUs - t.startUs) / 1000),
    dur: formatMs(s.durationUs / 1000),
    service: shortService(s.service),
    name: cut(`${'  '.repeat(s.depth)}${s.name}`, nameWidth),
    bar: bar(s, t, barWidth),
    extras: extras(s),
  }));
  const w = {
    start: Math.max('start ms'.length, ...rows.map((r) => r.start.length)),
    dur: Math.max('dur ms'.length, ...rows.map((r) => r.dur.length)),
    service: Math.max('service'.length, ...rows.map((r) => r.service.length)),
    name: Math.max('span'.length, ...rows.map((r) => r.name.length)),
  };
  const line = (start: string, dur: string, service: string, name: string, rest: string) =>
    `  ${start.padStart(w.start)}  ${dur.padStart(w.dur)}  ${service.padEnd(w.service)}  ${name.padEnd(w.name)}  ${rest}`.trimEnd();
  const out = [
    header(t),
    line('start ms', 'dur ms', 'service', 'span', ''),
    ...rows.map((r) => line(r.start, r.dur, r.service, r.name, `${r.bar} ${r.extras}`)),
    ...total(t),
  ];
  if (t.orphans) {
    out.push(
      `note: ${t.orphans} span${t.orphans === 1 ? '' : 's'} name a parent that is not in the trace yet: ` +
        'spans may still be arriving (services export in batches); retry in a few seconds',
    );
  }
  return `${out.join('\n')}\n`;
}
