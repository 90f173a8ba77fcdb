import { startPipeline, type RunningService } from './services';
import { TestClient } from './ws-client';

/** Spans leave each service in batches; short batches keep the test quick. */
const FAST_EXPORT = { OTEL_BSP_SCHEDULE_DELAY: '200' };

interface JaegerSpan {
  traceID: string;
  spanID: string;
  operationName: string;
  references: { refType: string; spanID: string }[];
  processID: string;
  tags: { key: string; value: unknown }[];
}
interface JaegerTrace {
  spans: JaegerSpan[];
  processes: Record<string, { serviceName: string }>;
}

const run = Math.random().toString(36).slice(2, 8);

async function postComment(ingestUrl: string, thread: string, body: string) {
  const res = await fetch(`${ingestUrl}/v1/threads/${thread}/comments`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ author: { id: `tracer-${run}` }, body }),
  });
  expect(res.status).toBe(202);
  return { id: ((await res.json()) as { id: string }).id, headers: res.headers };
}

async function metricsOf(svc: RunningService): Promise<string> {
  return (await fetch(`http://127.0.0.1:${svc.opsPort}/metrics`)).text();
}

/** The value of the first sample of `name` whose labels include every `labels` pair. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    if (Object.entries(labels).every(([k, v]) => line.includes(`${k}="${v}"`)))
      return Number(line.split(' ').pop());
  }
  return undefined;
}

// Issue 5: one trace per comment across the four services, read back from a real Jaeger.
describe('tracing a comment end to end', () => {
  const jaeger = process.env.JAEGER_QUERY_URL;
  if (!jaeger) throw new Error('JAEGER_QUERY_URL is not set: run through the integration jest config');
  let p: Awaited<ReturnType<typeof startPipeline>>;
  const clients: TestClient[] = [];

  beforeAll(async () => {
    p = await startPipeline({
      ingest: FAST_EXPORT,
      enrich: FAST_EXPORT,
      route: FAST_EXPORT,
      gateway: FAST_EXPORT,
    });
  });
  afterAll(async () => {
    for (const c of clients) c.close();
    await p?.stop();
  });

  /**
   * The trace once it holds every `[service, operation]` span asked for. Each service exports its
   * spans in batches of its own, so a trace can show a service before all of its spans.
   */
  async function traceOf(traceId: string, spans: [string, string][]): Promise<JaegerTrace> {
    const deadline = Date.now() + 30_000;
    for (;;) {
      const res = await fetch(`${jaeger}/api/traces/${traceId}`);
      if (res.ok) {
        const found = ((await res.json()) as { data: JaegerTrace[] }).data[0];
        const have = new Set(
          (found?.spans ?? []).map((x) => `${found!.processes[x.processID]?.serviceName} ${x.operationName}`),
        );
        if (found && spans.every(([svc, op]) => have.has(`${svc} ${op}`))) return found;
      }
      if (Date.now() > deadline) throw new Error(`trace ${traceId} incomplete in Jaeger after 30 s`);
      await new Promise((r) => setTimeout(r, 250));
    }
  }

  it('is one trace from the ingest request to the gateway fan-out, each hop a child of the one before', async () => {
    const thread = `traced-${run}`;
    const reader = await TestClient.connect(p.gatewayUrl);
    clients.push(reader);
    await reader.subscribe(`thread:${thread}`);
    const { id, headers } = await postComment(p.ingestUrl, thread, 'follow me');
    const traceId = headers.get('x-trace-id')!;
    expect(traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(headers.get('traceparent')).toMatch(new RegExp(`^00-${traceId}-[0-9a-f]{16}-01$`));
    await reader.waitFor('the comment', (f) => f.event?.id === id);

    const t = await traceOf(traceId, [
      ['threadcast-ingest', 'POST /v1/threads/:threadId/comments'],
      ['threadcast-ingest', 'publish comments'],
      ['threadcast-enrich', 'process comments'],
      ['threadcast-route', 'process comments.enriched'],
      ['threadcast-route', 'publish deliveries'],
      ['threadcast-gateway', 'fan-out deliveries'],
    ]);
    const service = (s: JaegerSpan) => t.processes[s.processID]!.serviceName;
    const tag = (s: JaegerSpan, key: string) => s.tags.find((x) => x.key === key)?.value;
    const parentOf = (s: JaegerSpan) => {
      const ref = s.references.find((r) => r.refType === 'CHILD_OF');
      return ref && t.spans.find((x) => x.spanID === ref.spanID);
    };
    const only = (svc: string, name: string) => {
      const found = t.spans.filter((s) => service(s) === svc && s.operationName === name);
      expect([svc, name, found.length]).toEqual([svc, name, 1]);
      return found[0]!;
    };

    const http = only('threadcast-ingest', 'POST /v1/threads/:threadId/comments');
    expect(tag(http, 'comment.id')).toBe(id);
    expect(tag(http, 'thread.id')).toBe(thread);
    const publishComment = only('threadcast-ingest', 'publish comments');
    const enrich = only('threadcast-enrich', 'process comments');
    const publishEnriched = t.spans.find(
      (s) => service(s) === 'threadcast-enrich' && s.operationName === 'publish comments.enriched',
    )!;
    const route = only('threadcast-route', 'process comments.enriched');
    const publishDelivery = only('threadcast-route', 'publish deliveries');
    const fanOut = only('threadcast-gateway', 'fan-out deliveries');

    expect(parentOf(publishComment)).toBe(http);
    expect(parentOf(enrich)).toBe(publishComment);
    expect(parentOf(publishEnriched)).toBe(enrich);
    expect(parentOf(route)).toBe(publishEnriched);
    expect(parentOf(publishDelivery)).toBe(route);
    expect(parentOf(fanOut)).toBe(publishDelivery);

    expect(tag(enrich, 'comment.id')).toBe(id);
    expect(tag(enrich, 'forum.id')).toBe('default');
    expect(tag(route, 'channel')).toBe(`thread:${thread}`);
    expect(tag(fanOut, 'channel')).toBe(`thread:${thread}`);
    expect(tag(fanOut, 'gateway.sockets')).toBe(1);
    expect(typeof tag(fanOut, 'messaging.kafka.offset')).toBe('number');

    // Prometheus: the delivery is counted in the latency histogram, and every stage reports
    // consumer lag and processed records.
    const gw = await metricsOf(p.gateway);
    expect(sample(gw, 'threadcast_e2e_latency_seconds_count')).toBe(1);
    expect(sample(gw, 'threadcast_e2e_latency_seconds_bucket', { le: '+Inf' })).toBe(1);
    for (const stage of [p.enrich, p.route]) {
      const text = await metricsOf(stage);
      expect(sample(text, 'threadcast_consumer_lag')).toBeGreaterThanOrEqual(0);
      expect(sample(text, 'threadcast_records_processed_total', { outcome: 'ok' })).toBeGreaterThanOrEqual(1);
    }
  });
});

describe('tracing off or its backend down', () => {
  it.each([
    ['tracing off', { OTEL_SDK_DISABLED: 'true' }],
    // Nothing listens there: every export fails.
    [
      'the backend down',
      { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:9', OTEL_BSP_SCHEDULE_DELAY: '100' },
    ],
  ])('with %s, comments are still delivered', async (_, env) => {
    const p = await startPipeline({ ingest: env, enrich: env, route: env, gateway: env });
    const reader = await TestClient.connect(p.gatewayUrl);
    try {
      const thread = `untraced-${run}-${Object.keys(env).length}`;
      await reader.subscribe(`thread:${thread}`);
      const ids: string[] = [];
      for (let n = 0; n < 5; n++) ids.push((await postComment(p.ingestUrl, thread, `c${n}`)).id);
      for (const id of ids) await reader.waitFor('a comment', (f) => f.event?.id === id);
      // Give failing exports time to fail more than once.
      await new Promise((r) => setTimeout(r, 1000));
      for (const svc of [p.ingest, p.enrich, p.route, p.gateway]) {
        const exportErrors = svc.output
          .join('')
          .split('\n')
          .filter((l) => l.includes('tracing:'));
        if ('OTEL_SDK_DISABLED' in env) expect(exportErrors).toEqual([]);
        // At most one line a minute, however many exports failed.
        else expect(exportErrors.length).toBeLessThanOrEqual(1);
      }
    } finally {
      reader.close();
      await p.stop();
    }
  });
});
