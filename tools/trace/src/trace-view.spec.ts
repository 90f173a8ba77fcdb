import { recordedTrace, recording } from './testing/recording';
import { toTraceView } from './trace-view';
import { bar, formatMs, formatWaterfall } from './waterfall';

const { fast } = recording.journeys;

describe('toTraceView', () => {
  it('links each span to its parent and counts depth', () => {
    const view = toTraceView(recordedTrace(fast.traceId));
    const byName = (name: string) => view.spans.filter((s) => s.name === name);
    const [http] = byName('POST /v1/threads/:threadId/comments');
    const [publish] = byName('publish comments');
    expect(publish!.parentId).toBe(http!.spanId);
    expect(byName('fan-out deliveries').map((s) => s.depth)).toEqual([6, 6]);
    expect(view.commentId).toBe(fast.commentId);
    expect(view.orphans).toBe(0);
  });

  it('flags spans whose parent is not in the trace yet, and says to retry', () => {
    const trace = recordedTrace(fast.traceId);
    // As if ingest had not exported its HTTP span yet.
    trace.spans = trace.spans.filter((s) => s.operationName !== 'POST /v1/threads/:threadId/comments');
    const view = toTraceView(trace);
    expect(view.orphans).toBe(1);
    const out = formatWaterfall(view);
    expect(out).toMatch(/publish comments .*\(parent not in trace\)/);
    expect(out).toContain('note: 1 span name a parent that is not in the trace yet');
    // The total starts at the first span there is.
    expect(view.acceptToSocketMs).toBeCloseTo(fast.lastFanOutEndMs! - 1, 3);
  });

  it('treats a link (FOLLOWS_FROM) as the parent when there is no CHILD_OF in the trace', () => {
    const trace = recordedTrace(fast.traceId);
    const process = trace.spans.find((s) => s.operationName === 'process comments')!;
    for (const r of process.references ?? []) r.refType = 'FOLLOWS_FROM';
    const view = toTraceView(trace);
    const span = view.spans.find((s) => s.name === 'process comments')!;
    expect(span.parentId).toBe(view.spans.find((s) => s.name === 'publish comments')!.spanId);
    expect(span.missingParent).toBe(false);
  });

  it('has no accept -> socket time without a gateway fan-out span', () => {
    const trace = recordedTrace(fast.traceId);
    trace.spans = trace.spans.filter((s) => s.operationName !== 'fan-out deliveries');
    expect(toTraceView(trace).acceptToSocketMs).toBeNull();
  });
});

describe('bar', () => {
  const trace = { startUs: 1_000_000, endUs: 1_010_000 };
  const span = (startUs: number, durationUs: number) =>
    ({ startUs, durationUs }) as Parameters<typeof bar>[0];

  it('fills the whole width for a span as long as the trace', () => {
    expect(bar(span(1_000_000, 10_000), trace, 10)).toBe(`|${'█'.repeat(10)}|`);
  });

  it('places a span by its share of the trace, at least one block', () => {
    expect(bar(span(1_005_000, 2_500), trace, 10)).toBe('|     ███  |');
    expect(bar(span(1_009_999, 1), trace, 10)).toBe('|         █|');
  });
});

describe('formatMs', () => {
  it.each([
    [0.25, '0.25'],
    [18, '18.0'],
    [2518.04, '2518.0'],
  ])('%d ms -> %s', (ms, text) => expect(formatMs(ms)).toBe(text));
});
