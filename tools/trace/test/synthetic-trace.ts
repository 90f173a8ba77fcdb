// Comment journeys shaped like the trace contract (docs/runbook.md, "The trace"), sent to a real
// Jaeger over OTLP/HTTP JSON. Used to record the unit tests' fixture (scripts/record-fixtures.ts)
// and by the integration test. Times are milliseconds from the journey's start (t0).
import { randomBytes } from 'node:crypto';

export interface Hop {
  key: string;
  parent?: string;
  service: string;
  instance: string;
  name: string;
  /** OTLP span kind: 2 server, 4 producer, 5 consumer. */
  kind: 2 | 4 | 5;
  startMs: number;
  durMs: number;
  attrs: Record<string, string | number | boolean>;
  error?: string;
}

export interface Journey {
  traceId: string;
  commentId: string;
  threadId: string;
  t0Ms: number;
  hops: Hop[];
}

export const randomHex = (bytes: number) => randomBytes(bytes).toString('hex');

export interface JourneyOptions {
  commentId: string;
  threadId: string;
  t0Ms: number;
  partition?: number;
  /** Extra time before route picks the record up (consumer lag). */
  routeDelayMs?: number;
  /** Gateway pods that fan the event out (0: not delivered). */
  gatewayPods?: number;
  /** Dead-letter at enrich with this reason (the journey ends there). */
  deadLetter?: string;
  /** Ingest route: a vote instead of a creation. */
  vote?: boolean;
}

/** ingest -> comments -> enrich -> comments.enriched -> route -> deliveries -> gateway fan-out. */
export function commentJourney(o: JourneyOptions): Journey {
  const p = String(o.partition ?? 3);
  const ids = { 'comment.id': o.commentId, 'thread.id': o.threadId };
  const kafka = (topic: string, offset: number) => ({
    'messaging.system': 'kafka',
    'messaging.destination.name': topic,
    'messaging.destination.partition.id': p,
    'messaging.kafka.offset': offset,
  });
  const channel = `thread:${o.threadId}`;
  const d = o.routeDelayMs ?? 0;
  const hops: Hop[] = [
    {
      key: 'http',
      service: 'threadcast-ingest',
      instance: 'ingest-0',
      name: o.vote ? 'POST /v1/threads/:threadId/comments/:id/votes' : 'POST /v1/threads/:threadId/comments',
      kind: 2,
      startMs: 0,
      durMs: 6,
      attrs: { ...ids, 'http.request.method': 'POST', 'http.response.status_code': 202 },
    },
    {
      key: 'publish1',
      parent: 'http',
      service: 'threadcast-ingest',
      instance: 'ingest-0',
      name: 'publish comments',
      kind: 4,
      startMs: 1,
      durMs: 4.5,
      attrs: { ...kafka('comments', 41), ...ids },
    },
    {
      key: 'enrich',
      parent: 'publish1',
      service: 'threadcast-enrich',
      instance: 'enrich-0',
      name: 'process comments',
      kind: 5,
      startMs: 7.5,
      durMs: 3.5,
      attrs: { ...kafka('comments', 41), ...ids, 'forum.id': 'f-main' },
      ...(o.deadLetter ? { error: `dead-lettered: ${o.deadLetter}` } : {}),
    },
  ];
  if (!o.deadLetter) {
    hops.push(
      {
        key: 'publish2',
        parent: 'enrich',
        service: 'threadcast-enrich',
        instance: 'enrich-0',
        name: 'publish comments.enriched',
        kind: 4,
        startMs: 9,
        durMs: 1.8,
        attrs: { ...kafka('comments.enriched', 17), ...ids },
      },
      {
        key: 'route',
        parent: 'publish2',
        service: 'threadcast-route',
        instance: 'route-0',
        name: 'process comments.enriched',
        kind: 5,
        startMs: 12 + d,
        durMs: 3,
        attrs: { ...kafka('comments.enriched', 17), ...ids, 'forum.id': 'f-main' },
      },
      {
        key: 'publish3',
        parent: 'route',
        service: 'threadcast-route',
        instance: 'route-0',
        name: 'publish deliveries',
        kind: 4,
        startMs: 13 + d,
        durMs: 1.8,
        attrs: { ...kafka('deliveries', 9), channel },
      },
    );
    for (let pod = 0; pod < (o.gatewayPods ?? 2); pod++) {
      const startMs = 16.5 + d + pod * 0.3;
      const durMs = 0.9 + pod * 0.3;
      hops.push({
        key: `fanout${pod}`,
        parent: 'publish3',
        service: 'threadcast-gateway',
        instance: `gateway-${pod}`,
        name: 'fan-out deliveries',
        kind: 5,
        startMs,
        durMs,
        attrs: {
          ...kafka('deliveries', 9),
          channel,
          'gateway.sockets': 2 - pod,
          'threadcast.e2e_latency_ms': startMs + durMs - 0.5,
        },
      });
    }
  }
  return { traceId: randomHex(16), commentId: o.commentId, threadId: o.threadId, t0Ms: o.t0Ms, hops };
}

/** The instant a journey's hop ends, in ms after t0 (what a waterfall's total should say). */
export function lastFanOutEndMs(j: Journey): number | null {
  const ends = j.hops.filter((h) => h.key.startsWith('fanout')).map((h) => h.startMs + h.durMs);
  return ends.length ? Math.max(...ends) : null;
}

type AnyValue =
  { stringValue: string } | { intValue: string } | { doubleValue: number } | { boolValue: boolean };
const anyValue = (v: string | number | boolean): AnyValue =>
  typeof v === 'string'
    ? { stringValue: v }
    : typeof v === 'boolean'
      ? { boolValue: v }
      : Number.isInteger(v)
        ? { intValue: String(v) }
        : { doubleValue: v };
const attributes = (attrs: Record<string, string | number | boolean>) =>
  Object.entries(attrs).map(([key, v]) => ({ key, value: anyValue(v) }));
const nanos = (ms: number) => (BigInt(Math.round(ms * 1000)) * 1000n).toString();

/** OTLP/HTTP JSON (ExportTraceServiceRequest) for journeys, one resource per service instance. */
export function toOtlpJson(journeys: Journey[]): unknown {
  const resources = new Map<string, { service: string; instance: string; spans: unknown[] }>();
  for (const j of journeys) {
    const spanIds = new Map(j.hops.map((h) => [h.key, randomHex(8)]));
    for (const h of j.hops) {
      const r = resources.get(h.instance) ?? { service: h.service, instance: h.instance, spans: [] };
      resources.set(h.instance, r);
      r.spans.push({
        traceId: j.traceId,
        spanId: spanIds.get(h.key),
        ...(h.parent ? { parentSpanId: spanIds.get(h.parent) } : {}),
        name: h.name,
        kind: h.kind,
        startTimeUnixNano: nanos(j.t0Ms + h.startMs),
        endTimeUnixNano: nanos(j.t0Ms + h.startMs + h.durMs),
        attributes: attributes(h.attrs),
        status: h.error ? { code: 2, message: h.error } : { code: 0 },
      });
    }
  }
  return {
    resourceSpans: [...resources.values()].map((r) => ({
      resource: {
        attributes: attributes({
          'service.name': r.service,
          'service.version': '0.1.0',
          'service.instance.id': r.instance,
        }),
      },
      scopeSpans: [{ scope: { name: 'threadcast-synthetic' }, spans: r.spans }],
    })),
  };
}

/** POSTs journeys to an OTLP/HTTP endpoint (base URL, as in OTEL_EXPORTER_OTLP_ENDPOINT). */
export async function sendJourneys(otlpHttpEndpoint: string, journeys: Journey[]): Promise<void> {
  const res = await fetch(`${otlpHttpEndpoint.replace(/\/+$/, '')}/v1/traces`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(toOtlpJson(journeys)),
  });
  const body = await res.text();
  if (res.status !== 200) throw new Error(`OTLP export answered ${res.status}: ${body}`);
}

/** Waits until Jaeger returns each journey's trace with all its spans. */
export async function waitForJourneys(
  queryUrl: string,
  journeys: Journey[],
  timeoutMs = 20_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (const j of journeys) {
    for (;;) {
      const res = await fetch(`${queryUrl}/api/traces/${j.traceId}`);
      const body = (await res.json()) as { data?: { spans: unknown[] }[] | null };
      if (res.status === 200 && body.data?.[0]?.spans.length === j.hops.length) break;
      if (Date.now() > deadline)
        throw new Error(`trace ${j.traceId} not complete in Jaeger after ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}
