import { context, propagation, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import type { InRecord, OutRecord } from './records';
import { endSpans, startProcessSpan, startPublishSpans, untraced } from './record-tracing';

describe('record tracing', () => {
  const exporter = new InMemorySpanExporter();
  beforeAll(() => {
    trace.setGlobalTracerProvider(
      new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter })] }),
    );
    propagation.setGlobalPropagator(new W3CTraceContextPropagator());
    context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  });
  afterAll(() => {
    trace.disable();
    propagation.disable();
    context.disable();
  });
  beforeEach(() => exporter.reset());

  const spanNamed = (name: string) => exporter.getFinishedSpans().find((s) => s.name === name)!;

  it('chains publish -> process -> publish in one trace, each a child of the one before', () => {
    const root = trace.getTracer('test').startSpan('POST /v1/threads/:threadId/comments');
    const first: OutRecord = { topic: 'comments', key: 't1', value: '{}', headers: { 'tc-schema': 'x' } };
    const published = startPublishSpans([first], trace.setSpan(context.active(), root));
    endSpans(published.spans);
    root.end();
    const sentHeaders = published.headers[0]!;
    expect(sentHeaders).toMatchObject({
      'tc-schema': 'x',
      traceparent: expect.stringMatching(/^00-[0-9a-f]{32}-/),
    });
    // The caller's record is not modified.
    expect(first.headers).toEqual({ 'tc-schema': 'x' });

    const consumed: InRecord = {
      topic: 'comments',
      partition: 3,
      offset: '41',
      key: Buffer.from('t1'),
      value: Buffer.from('{}'),
      headers: sentHeaders,
      timestamp: '0',
    };
    const { span, ctx } = startProcessSpan(consumed, 'enrich');
    const next: OutRecord = { topic: 'comments.enriched', key: 't1', value: '{}', traceContext: ctx };
    // The batch is sent later, from another context: the record's own context decides the parent.
    endSpans(startPublishSpans([next], context.active()).spans);
    span.end();

    const [http, publish, process, publish2] = [
      spanNamed('POST /v1/threads/:threadId/comments'),
      spanNamed('publish comments'),
      spanNamed('process comments'),
      spanNamed('publish comments.enriched'),
    ];
    const traceId = http.spanContext().traceId;
    for (const s of [publish, process, publish2]) expect(s.spanContext().traceId).toBe(traceId);
    expect(publish.parentSpanContext?.spanId).toBe(http.spanContext().spanId);
    expect(process.parentSpanContext?.spanId).toBe(publish.spanContext().spanId);
    expect(publish2.parentSpanContext?.spanId).toBe(process.spanContext().spanId);
    expect(process.attributes).toMatchObject({
      'messaging.destination.name': 'comments',
      'messaging.destination.partition.id': '3',
      'messaging.kafka.offset': 41,
    });
  });

  it('starts a new trace for a record without traceparent, and records a failed send', () => {
    const { span } = startProcessSpan(
      { topic: 'comments', partition: 0, offset: '1', key: null, value: null, headers: {}, timestamp: '0' },
      'enrich',
    );
    span.end();
    expect(spanNamed('process comments').parentSpanContext).toBeUndefined();
    endSpans(
      startPublishSpans([{ topic: 'deliveries', key: 'k', value: null }], context.active()).spans,
      new Error('down'),
    );
    expect(spanNamed('publish deliveries').status.code).toBe(2);
  });

  it("replaces a traceparent copied from an input with the publish span's own", () => {
    const stale = '00-11111111111111111111111111111111-2222222222222222-01';
    const { spans, headers } = startPublishSpans(
      [{ topic: 'deliveries', key: 'k', value: null, headers: { traceparent: stale, tracestate: 'a=b' } }],
      context.active(),
    );
    endSpans(spans);
    expect(headers[0]!.traceparent).not.toBe(stale);
    expect(headers[0]!.traceparent).toContain(spans[0]!.spanContext().spanId);
    expect(headers[0]!.tracestate).toBeUndefined();
  });

  it('suppresses spans started inside untraced()', () => {
    untraced(() => trace.getTracer('kafkajs').startSpan('batch').end());
    expect(exporter.getFinishedSpans()).toEqual([]);
  });
});
