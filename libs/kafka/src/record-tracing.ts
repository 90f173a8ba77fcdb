/**
 * One trace per comment across the Kafka hops: a `publish <topic>` producer span per record,
 * whose context travels in the record's W3C `traceparent` header, and a `process <topic>`
 * consumer span per record that is a real child of it. kafkajs' own instrumentation works per
 * batch (one span, per-record links, durations of the whole batch) and would stamp one parent
 * on every record of a batched send, so it is suppressed around our sends and consumer loops.
 */
import {
  context,
  INVALID_SPAN_CONTEXT,
  propagation,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  trace,
  type Context,
  type Span,
} from '@opentelemetry/api';
import { suppressTracing } from '@opentelemetry/core';
import { HEADERS } from '@threadcast/contracts';
import type { InRecord, OutRecord } from './records';

const tracer = trace.getTracer('@threadcast/kafka');

/** Runs `work` with kafkajs' instrumentation (and any other) silenced for what it starts. */
export function untraced<T>(work: () => T): T {
  return context.with(suppressTracing(context.active()), work);
}

/**
 * Starts the record's processing span as a child of the span that published it (from its
 * `traceparent` header) and returns the context to run the handler in.
 */
export function startProcessSpan(record: InRecord, stage: string): { span: Span; ctx: Context } {
  const parent = propagation.extract(ROOT_CONTEXT, record.headers);
  const span = tracer.startSpan(
    `process ${record.topic}`,
    {
      kind: SpanKind.CONSUMER,
      attributes: {
        'messaging.system': 'kafka',
        'messaging.operation.type': 'process',
        'messaging.destination.name': record.topic,
        'messaging.destination.partition.id': String(record.partition),
        'messaging.kafka.offset': Number(record.offset),
        'messaging.consumer.group.name': stage,
      },
    },
    parent,
  );
  return { span, ctx: trace.setSpan(parent, span) };
}

/**
 * Starts a `publish <topic>` span per record, as a child of the record's `traceContext` (or of
 * `fallback`), and returns the spans with each record's headers plus that span's context (new
 * objects: the caller's records are left as they are). End the spans when the broker acknowledged
 * the records. This is the only place trace context is written into records.
 */
/** Stands in for the span of a record that is not traced (a changelog record); ending it does nothing. */
const NO_SPAN = trace.wrapSpanContext(INVALID_SPAN_CONTEXT);

export function startPublishSpans(
  records: readonly OutRecord[],
  fallback: Context,
): { spans: Span[]; headers: Record<string, string>[] } {
  const spans: Span[] = [];
  const headers: Record<string, string>[] = [];
  for (const r of records) {
    if (r.changelog) {
      // State, not an event: no span and no header (a vote's changelog record stays tiny).
      spans.push(NO_SPAN);
      headers.push({});
      continue;
    }
    const span = tracer.startSpan(
      `publish ${r.topic}`,
      {
        kind: SpanKind.PRODUCER,
        attributes: {
          'messaging.system': 'kafka',
          'messaging.operation.type': 'send',
          'messaging.destination.name': r.topic,
          'messaging.kafka.message.key': typeof r.key === 'string' ? r.key : r.key.toString('utf8'),
        },
      },
      r.traceContext ?? fallback,
    );
    const channel = r.headers?.[HEADERS.channel];
    if (channel !== undefined) span.setAttribute('channel', channel);
    const h: Record<string, string> = { ...r.headers };
    // A stale context copied from an input must not survive when there is nothing to inject.
    delete h[HEADERS.traceparent];
    delete h[HEADERS.tracestate];
    propagation.inject(trace.setSpan(ROOT_CONTEXT, span), h);
    headers.push(h);
    spans.push(span);
  }
  return { spans, headers };
}

export function endSpans(spans: Span[], error?: unknown): void {
  for (const span of spans) {
    if (error !== undefined) {
      span.recordException(error instanceof Error ? error : String(error));
      span.setStatus({ code: SpanStatusCode.ERROR });
    }
    span.end();
  }
}
