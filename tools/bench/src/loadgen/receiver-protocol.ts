/** The commands a receiver load generator answers, and what it answers with. */
import type { HistogramData } from '../histogram';
import type { Usage } from '../self-usage';
import type { ClientImpl } from './client-socket';
import type { WireProtocol } from './wire-protocol';

export interface OpenArgs {
  url: string;
  /** The bench's raw WebSocket client, or the `ws` library's. */
  impl: ClientImpl;
  /** Channel names; `assign[i]` is the index of socket i's channel. */
  channels: string[];
  assign: number[];
  /** New connections per second; 0: as fast as `concurrency` allows. */
  rate: number;
  /** Handshakes (connect + subscribe) in flight at once. */
  concurrency: number;
  localAddress?: string;
  timeoutMs: number;
  /** The server's protocol: threadcast's gateway (default) or Centrifugo's JSON protocol. */
  protocol?: WireProtocol;
  /** Centrifugo: the secret connect tokens are signed with (HS256). */
  hmacSecret?: string;
  /** Also measure accept -> receipt from the event's `createdAt` (pipeline events). */
  acceptTimes?: boolean;
}

export interface OpenResult {
  attempted: number;
  subscribed: number;
  failed: number;
  failures: Record<string, number>;
  /** Connect start -> `subscribed` frame, µs. */
  connectLatency: HistogramData;
  /** Monotonic µs of the first connection attempt and of the last answer. */
  firstStart: number;
  lastDone: number;
  cpu: number;
  elu: number;
  wall: number;
}

export interface StatsArgs {
  /** Per channel index: the number of events sent (sequence numbers 0..n-1) or their exact list. */
  expected?: (number | number[])[];
}

export interface ReceiverStats {
  sockets: number;
  open: number;
  /** Distinct events received, whole phase. */
  arrived: number;
  duplicates: number;
  outOfOrder: number;
  /** Sockets closed by the server or the network, by close code. */
  closedByServer: Record<string, number>;
  /** error/reset frames and frames that were not JSON, by code. */
  controlErrors: Record<string, number>;
  /** Since the last `reset`. */
  window: {
    arrived: number;
    bytes: number;
    firstArrival: number;
    lastArrival: number;
    latency: HistogramData;
    acceptLatency: HistogramData;
  };
  usage: Usage;
  /** With `expected`: what should have arrived, what of it did, sockets missing any. */
  expected?: number;
  expectedArrived?: number;
  socketsShort?: number;
  unexpected?: number;
}
