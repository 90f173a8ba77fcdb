/**
 * The per-record hot path: a `deliveries` record in, the same frame bytes out to every socket
 * subscribed to its channel. A record nobody here listens to costs one header read and one map
 * lookup.
 */
import { HEADERS } from '@threadcast/contracts';
import type { InRecord } from '@threadcast/kafka';
import { cursorOf, frameWithCursor } from './frame-delivery';
import type { GatewayMetrics } from './gateway-metrics';
import type { PartitionPositions } from './partition-positions';
import type { Subscriptions } from './subscriptions';

export type DeliveryRecord = Pick<InRecord, 'partition' | 'offset' | 'value' | 'headers'>;

/** The part of a `ws` WebSocket fan-out needs (a fake in unit tests). */
export interface FanOutSocket {
  readonly readyState: number;
  readonly bufferedAmount: number;
  send(data: Buffer, options: { binary: boolean; compress: boolean }): void;
  terminate(): void;
}

const OPEN = 1;
// Text frames (the bytes are UTF-8 JSON), never compressed: the frame is shared by all sockets.
const SEND_OPTIONS = { binary: false, compress: false } as const;

export function createFanOut<C extends { readonly ws: FanOutSocket }>(deps: {
  subscriptions: Subscriptions<C>;
  positions: PartitionPositions;
  metrics: GatewayMetrics;
  maxBufferedBytes: number;
  now?: () => number;
}): (record: DeliveryRecord) => void {
  const { subscriptions, positions, metrics, maxBufferedBytes } = deps;
  const now = deps.now ?? Date.now;

  return (record) => {
    positions.advance(record.partition, record.offset);
    const channel = record.headers[HEADERS.channel];
    if (channel === undefined) return;
    const sockets = subscriptions.subscribers(channel);
    if (sockets === undefined) return;
    const frame = frameWithCursor(record.value, cursorOf(record.partition, record.offset));
    if (frame === undefined) {
      metrics.recordsUnusable.inc({ reason: 'not_a_frame' });
      return;
    }
    let written = 0;
    for (const client of sockets) {
      const ws = client.ws;
      if (ws.readyState !== OPEN) continue;
      if (ws.bufferedAmount > maxBufferedBytes) {
        // A close frame would wait behind the backlog; cutting the socket frees it now.
        ws.terminate();
        metrics.slowSocketsCut.inc();
        continue;
      }
      ws.send(frame, SEND_OPTIONS);
      written++;
    }
    if (written === 0) return;
    metrics.eventsDelivered.inc(written);
    metrics.bytesWritten.inc(written * frame.length);
    const acceptedAt = Number(record.headers[HEADERS.acceptedAt]);
    if (acceptedAt > 0) metrics.e2eLatency.observe((now() - acceptedAt) / 1000);
  };
}
