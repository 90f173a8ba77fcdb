import type { JaegerTrace } from './jaeger-types';
import { ATTR, FAN_OUT_PREFIX, SERVICES } from './semconv';

export type AttrValue = string | number | boolean;

export interface SpanView {
  spanId: string;
  /** The parent in this trace (CHILD_OF first, else FOLLOWS_FROM, i.e. a link), or null. */
  parentId: string | null;
  /** Set when the span names a parent that is not (yet) in the trace. */
  missingParent: boolean;
  depth: number;
  service: string;
  /** The process's service.instance.id (the pod), when it has one. */
  instance: string | null;
  name: string;
  /** Microseconds since the epoch. */
  startUs: number;
  durationUs: number;
  attrs: Record<string, AttrValue>;
  failed: boolean;
}

export interface TraceView {
  traceId: string;
  /** Sorted by start time (ties: parents first). */
  spans: SpanView[];
  startUs: number;
  endUs: number;
  commentId: string | null;
  threadId: string | null;
  /** First span start to the end of the last gateway fan-out span; null when not delivered. */
  acceptToSocketMs: number | null;
  /** The latency the gateway itself measured from the accept time (threadcast.e2e_latency_ms). */
  gatewayE2eMs: number | null;
  fanOuts: number;
  orphans: number;
}

function failed(attrs: Record<string, AttrValue>): boolean {
  return attrs[ATTR.error] === true || attrs[ATTR.statusCode] === 'ERROR';
}

export function isFanOut(span: Pick<SpanView, 'service' | 'name' | 'attrs'>): boolean {
  return (
    span.service === SERVICES.gateway && (span.name.startsWith(FAN_OUT_PREFIX) || ATTR.sockets in span.attrs)
  );
}

function instanceOf(trace: JaegerTrace, processId: string): string | null {
  const tag = trace.processes[processId]?.tags?.find((t) => t.key === ATTR.instance);
  return tag ? String(tag.value) : null;
}

const firstAttr = (spans: SpanView[], key: string): string | null => {
  const hit = spans.find((s) => s.attrs[key] !== undefined);
  return hit ? String(hit.attrs[key]) : null;
};

/** Turns one trace of Jaeger's API into what the waterfall and the ranking need. */
export function toTraceView(trace: JaegerTrace): TraceView {
  const ids = new Set(trace.spans.map((s) => s.spanID));
  const base = trace.spans.map((s) => {
    const refs = (s.references ?? []).filter((r) => r.spanID !== s.spanID);
    const inTrace =
      refs.find((r) => r.refType === 'CHILD_OF' && ids.has(r.spanID)) ?? refs.find((r) => ids.has(r.spanID));
    const attrs: Record<string, AttrValue> = {};
    for (const t of s.tags ?? []) attrs[t.key] = t.value;
    return {
      spanId: s.spanID,
      parentId: inTrace?.spanID ?? null,
      missingParent: !inTrace && refs.some((r) => r.refType === 'CHILD_OF'),
      depth: 0,
      service: trace.processes[s.processID]?.serviceName ?? s.processID,
      instance: instanceOf(trace, s.processID),
      name: s.operationName,
      startUs: s.startTime,
      durationUs: s.duration,
      attrs,
      failed: failed(attrs),
    } satisfies SpanView;
  });

  const byId = new Map(base.map((s) => [s.spanId, s]));
  const depthOf = (s: SpanView, seen = new Set<string>()): number => {
    if (!s.parentId || seen.has(s.spanId)) return 0;
    seen.add(s.spanId);
    const parent = byId.get(s.parentId);
    return parent ? depthOf(parent, seen) + 1 : 0;
  };
  for (const s of base) s.depth = depthOf(s);
  const spans = base.sort((a, b) => a.startUs - b.startUs || a.depth - b.depth);

  const startUs = Math.min(...spans.map((s) => s.startUs));
  const endUs = Math.max(...spans.map((s) => s.startUs + s.durationUs));
  const fanOuts = spans.filter(isFanOut);
  const lastSocketWriteUs = fanOuts.length ? Math.max(...fanOuts.map((s) => s.startUs + s.durationUs)) : null;
  const e2e = fanOuts.map((s) => Number(s.attrs[ATTR.e2eLatencyMs])).filter((n) => Number.isFinite(n));
  return {
    traceId: trace.traceID,
    spans,
    startUs,
    endUs,
    commentId: firstAttr(spans, ATTR.commentId),
    threadId: firstAttr(spans, ATTR.threadId),
    acceptToSocketMs: lastSocketWriteUs === null ? null : (lastSocketWriteUs - startUs) / 1000,
    gatewayE2eMs: e2e.length ? Math.max(...e2e) : null,
    fanOuts: fanOuts.length,
    orphans: spans.filter((s) => s.missingParent).length,
  };
}
