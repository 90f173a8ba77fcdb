/**
 * The client-facing WebSocket endpoint, put together by connection phase: the HTTP routes
 * (http-routes.ts), the handshake gate (handshake.ts: origin, caps, token), the per-socket
 * protocol (socket-session.ts: frames, subscriptions, limits), and here what spans all sockets:
 * live delivery (fan-out.ts), replays (catch-up.ts), presence broadcast, the heartbeat and the
 * drain on shutdown. Records arrive through `deliver` (live) and `replayed` (the replay reader);
 * which partitions get read is asked of the DeliveryFeed and the ReplayReader.
 */
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { CLOSE_CODES } from '@threadcast/contracts';
import type { Logger } from '@threadcast/runtime';
import { WebSocketServer } from 'ws';
import { createCatchUp, type ReplayReader } from './catch-up';
import type { DeliveryFeed } from './delivery-feed';
import { createFanOut, type DeliveryRecord } from './fan-out';
import { textFrame } from './frame-delivery';
import type { GatewayMetrics } from './gateway-metrics';
import { createHandshake } from './handshake';
import { createHttpRoutes, type DemoTokens } from './http-routes';
import { createOriginCheck } from './origin-check';
import { createPartitionPositions } from './partition-positions';
import { createReaderCounts } from './reader-counts';
import { createSessionProtocol, type Session, type SessionLimits } from './socket-session';
import { createSocketCaps } from './socket-caps';
import { createSubscriptions } from './subscriptions';
import type { VerifyToken } from './token-verifier';

export { DEMO_TOKEN_PATH, WS_PATH } from './http-routes';

export interface GatewayServerOptions extends SessionLimits {
  maxFrameBytes: number;
  pingIntervalMs: number;
  /** Sockets this pod holds at most; one more is closed with 1013 at once. */
  maxSockets: number;
  /** Sockets one client address may hold on this pod; one more is closed with 4429 at once. */
  maxSocketsPerAddress: number;
  /** Header a trusted proxy puts the client address in (its last entry counts); see client-address.ts. */
  clientAddressHeader?: string;
  feed: DeliveryFeed;
  /** The second reader, for replays (catch-up.ts); its records come back through `replayed`. */
  replayReader: ReplayReader;
  metrics: GatewayMetrics;
  logger: Logger;
  /** Absent: no tokens are accepted, and sockets are anonymous (thread channels only). */
  verifyToken?: VerifyToken;
  /** Browser origins allowed to connect (GATEWAY_ALLOWED_ORIGINS); see origin-check.ts. */
  allowedOrigins?: readonly string[];
  /**
   * How long fan-out holds a socket's first frame for the frames that follow, so they leave in
   * one write (GATEWAY_WRITE_DELAY_MS; 0 or absent: a microtask, a fetch's records together).
   */
  writeDelayMs?: number;
  /** Answers `GET /demo-token` (GATEWAY_DEV_AUTH); absent, that path says demo tokens are off. */
  demoTokens?: DemoTokens;
  /** Called after a channel gained or lost a reader (a client address) on this pod (presence). */
  onReadersChanged?(channel: string): void;
  /** The channel's reader count across pods (presence), told to a subscriber no change announces. */
  presenceTotal?(channel: string): number;
  now?: () => number;
}

export interface GatewayServer {
  /** Hands one `deliveries` record of the live reader to the sockets subscribed to its channel. */
  deliver(record: DeliveryRecord): void;
  /** Hands one record of the replay reader to the subscriptions replaying its partition. */
  replayed(record: DeliveryRecord): void;
  /** Starts accepting sockets; resolves with the bound port. */
  listen(port: number, host?: string): Promise<number>;
  /**
   * Refuses new sockets (503), asks every socket to close with 1012, waits up to `drainMs` for
   * them, then cuts the rest.
   */
  close(drainMs: number): Promise<void>;
  readonly socketCount: number;
  /** Readers of the channel on this pod, one per client address (presence). */
  readerCount(channel: string): number;
  /** Sends a text frame to every subscriber of the channel on this pod (presence). */
  broadcast(channel: string, frame: string): void;
}

export function createGatewayServer(opts: GatewayServerOptions): GatewayServer {
  const { metrics, logger, feed } = opts;
  const now = opts.now ?? Date.now;
  const sessions = new Set<Session>();
  const subscriptions = createSubscriptions<Session>((partition) => feed.stop(partition));
  const positions = createPartitionPositions(feed.partitionCount);
  const readers = createReaderCounts();
  const originAllowed = createOriginCheck(opts.allowedOrigins ?? []);
  const caps = createSocketCaps(opts.maxSockets, opts.maxSocketsPerAddress);

  let closing: Promise<void> | undefined;
  let drained: (() => void) | undefined;

  const replayCorked = new Set<Session>();
  const uncorkReplays = () => {
    for (const session of replayCorked) session.stream.uncork();
    replayCorked.clear();
  };
  const catchUp = createCatchUp<Session>({
    reader: opts.replayReader,
    positions,
    metrics,
    write(session, frame) {
      if (!protocol.writable(session)) return false;
      // Corked like fan-out's writes: one writev per socket per replay batch, not one per event.
      if (!replayCorked.has(session)) {
        if (replayCorked.size === 0) queueMicrotask(uncorkReplays);
        replayCorked.add(session);
        session.stream.cork();
      }
      session.stream.write(frame);
      return true;
    },
  });
  const protocol = createSessionProtocol(
    {
      limits: opts,
      subscriptions,
      positions,
      feed,
      catchUp,
      readers,
      metrics,
      logger,
      readersChanged: opts.onReadersChanged ?? (() => {}),
      presenceTotal: opts.presenceTotal,
      now,
    },
    (session) => {
      sessions.delete(session);
      if (sessions.size === 0) drained?.();
    },
  );
  const fanOut = createFanOut({
    subscriptions,
    positions,
    metrics,
    maxBufferedBytes: opts.maxBufferedBytes,
    onSlowClient: protocol.cutSlow,
    writeDelayMs: opts.writeDelayMs,
    now,
  });

  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: opts.maxFrameBytes,
    // Event frames are shared bytes written to many sockets; per-socket deflate would undo that.
    perMessageDeflate: false,
    clientTracking: false,
  });
  wss.on('error', (e) => logger.error({ err: e }, 'WebSocket server error'));

  const http = createServer(createHttpRoutes({ logger, originAllowed, demoTokens: opts.demoTokens }));
  const handshake = createHandshake({
    wss,
    originAllowed,
    caps,
    clientAddressHeader: opts.clientAddressHeader,
    verifyToken: opts.verifyToken,
    isDraining: () => closing !== undefined,
    metrics,
    logger,
    onAccepted({ ws, stream, claims, address }) {
      sessions.add(protocol.open(ws, stream, claims, address));
    },
  });
  http.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    handshake(req, socket, head).catch((e: unknown) => {
      logger.error({ err: e }, 'upgrade failed');
      socket.destroy();
    });
  });

  let heartbeat: NodeJS.Timeout | undefined;
  const beat = () => {
    for (const session of sessions) {
      if (!session.alive) {
        session.ws.terminate();
        continue;
      }
      session.alive = false;
      session.ws.ping();
    }
  };

  const shutDown = async (drainMs: number) => {
    clearInterval(heartbeat);
    // Frames waiting for the write window leave before the close frames.
    fanOut.flush();
    const httpClosed = new Promise<void>((resolve) => http.close(() => resolve()));
    http.closeIdleConnections();
    const started = Date.now();
    logger.info({ sockets: sessions.size, drainMs }, 'closing sockets');
    if (sessions.size > 0) {
      const allClosed = new Promise<void>((resolve) => (drained = resolve));
      for (const session of sessions) session.ws.close(CLOSE_CODES.serviceRestart, 'service restart');
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<void>((resolve) => (timer = setTimeout(resolve, drainMs)));
      await Promise.race([allClosed, timeout]);
      clearTimeout(timer);
      if (sessions.size > 0) {
        logger.warn({ sockets: sessions.size }, 'drain timed out; cutting the remaining sockets');
        for (const session of sessions) session.ws.terminate();
        await allClosed;
      }
    }
    await httpClosed;
    logger.info({ ms: Date.now() - started }, 'sockets closed');
  };

  return {
    deliver: fanOut.deliver,
    replayed: (record) => catchUp.onRecord(record),
    listen(port, host) {
      return new Promise((resolve, reject) => {
        http.once('error', reject);
        http.listen(port, host, () => {
          http.off('error', reject);
          heartbeat = setInterval(beat, opts.pingIntervalMs);
          heartbeat.unref();
          resolve((http.address() as AddressInfo).port);
        });
      });
    },
    close(drainMs) {
      closing ??= shutDown(drainMs);
      return closing;
    },
    get socketCount() {
      return sessions.size;
    },
    readerCount: (channel) => readers.count(channel),
    broadcast(channel, text) {
      const subs = subscriptions.subscribers(channel);
      if (!subs) return;
      // Framed once, the same bytes to every socket, as fan-out does with events; a socket too
      // far behind is cut here as on every other write path.
      const frame = textFrame(text);
      for (const sub of subs) if (protocol.writable(sub.client)) sub.client.stream.write(frame);
    },
  };
}
