/**
 * The per-record hot path: a `deliveries` record in, the same frame bytes out to every socket
 * subscribed to its channel that has not had it yet. A record nobody here listens to costs one
 * header read and one map lookup; the frame, WebSocket header included, is built once, on first
 * need, and the same bytes are written to every socket's stream.
 *
 * Writes are batched per socket: the first frame a socket gets corks its TCP stream, and every
 * stream corked is uncorked together `writeDelayMs` later (GATEWAY_WRITE_DELAY_MS; 0: in a
 * microtask, once the reader's batch has been handed over synchronously). A socket then costs
 * one writev per window instead of one per frame, which is where the time went (a syscall per
 * frame, about three quarters of the gateway's CPU). At a steady rate a fetch holds about one
 * record per channel, so batching within a fetch alone left 1.7 deliveries per write; the window
 * gathers the frames of the fetches that land within it (Centrifugo's `write_delay` idea).
 */
import { propagation, ROOT_CONTEXT, SpanKind, trace } from '@opentelemetry/api';
import { HEADERS, TOPICS } from '@threadcast/contracts';
import type { InRecord } from '@threadcast/kafka';
import { cursorOf } from './cursor';
import { eventFrame, payloadLength } from './frame-delivery';
import type { GatewayMetrics } from './gateway-metrics';
import { hopObserver } from './hop-latency';
import type { PartitionPositions } from './partition-positions';
import type { Subscriptions } from './subscriptions';

export type DeliveryRecord = Pick<InRecord, 'partition' | 'offset' | 'value' | 'headers' | 'timestamp'>;

/** The part of a `ws` WebSocket fan-out needs (a fake in unit tests). */
export interface FanOutSocket {
  readonly readyState: number;
  /** Bytes queued on the stream below (what fan-out writes there counts too). */
  readonly bufferedAmount: number;
}

/**
 * The TCP stream under a socket, the one `ws` writes to: fan-out writes the ready-made frame
 * bytes there itself (ws frames nothing here: no permessage-deflate, and ws writes
 * synchronously, so frames stay in order with its own), corked while a batch is delivered.
 */
export interface FrameStream {
  cork(): void;
  uncork(): void;
  write(frame: Buffer): boolean;
}

const OPEN = 1;

export interface FanOut {
  /** One `deliveries` record to every subscribed socket that has not had it yet (queued until the flush). */
  deliver(record: DeliveryRecord): void;
  /** Writes what is queued now (shutdown, tests); the window's timer does it otherwise. */
  flush(): void;
}
const tracer = trace.getTracer('@threadcast/gateway');

export function createFanOut<C extends { readonly ws: FanOutSocket; readonly stream: FrameStream }>(deps: {
  subscriptions: Subscriptions<C>;
  positions: PartitionPositions;
  metrics: GatewayMetrics;
  maxBufferedBytes: number;
  /** Called for a socket whose unsent backlog passed `maxBufferedBytes`; it gets nothing more. */
  onSlowClient(client: C): void;
  /** How long a socket's first frame may wait for others before they leave in one write (0: a microtask). */
  writeDelayMs?: number;
  now?: () => number;
}): FanOut {
  const { subscriptions, positions, metrics, maxBufferedBytes, onSlowClient } = deps;
  const now = deps.now ?? Date.now;
  const writeDelayMs = deps.writeDelayMs ?? 0;
  const observeHops = hopObserver(metrics.hopLatency);
  // Clients written to since the last flush; each stream is corked once.
  const corked = new Set<C>();
  let timer: NodeJS.Timeout | undefined;
  const flush = () => {
    if (timer !== undefined) clearTimeout(timer);
    timer = undefined;
    if (corked.size === 0) return;
    metrics.writeFlushes.inc();
    metrics.socketWrites.inc(corked.size);
    for (const client of corked) client.stream.uncork();
    corked.clear();
  };
  const scheduleFlush = () => {
    if (writeDelayMs <= 0) queueMicrotask(flush);
    else timer = setTimeout(flush, writeDelayMs);
  };

  const deliver = (record: DeliveryRecord): void => {
    const offset = Number(record.offset);
    positions.advance(record.partition, offset);
    const channel = record.headers[HEADERS.channel];
    if (channel === undefined) return;
    const subs = subscriptions.subscribers(channel);
    if (subs === undefined) return;
    const startedAt = now();
    let frame: Buffer | undefined;
    let written = 0;
    for (const sub of subs) {
      // Already given (live before a replay for someone else) or before its cursor.
      if (offset <= sub.after) continue;
      sub.after = offset;
      const client = sub.client;
      const ws = client.ws;
      if (ws.readyState !== OPEN) continue;
      if (!corked.has(client)) {
        // The backlog is judged at a socket's first frame of a batch: what the batch queues
        // behind the cork leaves at the flush, so it is no sign of a slow reader.
        if (ws.bufferedAmount > maxBufferedBytes) {
          onSlowClient(client);
          continue;
        }
        if (corked.size === 0) scheduleFlush();
        corked.add(client);
        client.stream.cork();
      }
      if (frame === undefined) {
        frame = eventFrame(record.value, cursorOf(record.partition, offset + 1));
        if (frame === undefined) {
          metrics.recordsUnusable.inc({ reason: 'not_a_frame' });
          return;
        }
      }
      client.stream.write(frame);
      written++;
    }
    if (written === 0) return;
    metrics.eventsDelivered.inc(written);
    metrics.bytesWritten.inc(written * payloadLength(frame!));
    const endedAt = now();
    const acceptedAt = Number(record.headers[HEADERS.acceptedAt]);
    const latencyMs = acceptedAt > 0 ? endedAt - acceptedAt : undefined;
    if (latencyMs !== undefined) metrics.e2eLatency.observe(latencyMs / 1000);
    observeHops(acceptedAt, record.headers[HEADERS.hops], Number(record.timestamp), endedAt);
    traceFanOut(record, channel, offset, written, startedAt, endedAt, latencyMs);
  };
  return { deliver, flush };
}

/**
 * One span per pod per event written to at least one socket (never one per socket), a child of
 * the `publish deliveries` span whose context the record's `traceparent` carries.
 */
function traceFanOut(
  record: DeliveryRecord,
  channel: string,
  offset: number,
  sockets: number,
  startedAt: number,
  endedAt: number,
  latencyMs: number | undefined,
): void {
  const parent = propagation.extract(ROOT_CONTEXT, record.headers);
  const span = tracer.startSpan(
    'fan-out deliveries',
    {
      kind: SpanKind.CONSUMER,
      startTime: startedAt,
      attributes: {
        channel,
        'gateway.sockets': sockets,
        'messaging.system': 'kafka',
        'messaging.destination.name': TOPICS.deliveries,
        'messaging.destination.partition.id': String(record.partition),
        'messaging.kafka.offset': offset,
      },
    },
    parent,
  );
  if (latencyMs !== undefined) span.setAttribute('threadcast.e2e_latency_ms', latencyMs);
  span.end(endedAt);
}
