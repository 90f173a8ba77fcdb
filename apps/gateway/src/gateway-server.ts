/**
 * The client-facing WebSocket endpoint: protocol v1 on `/ws`, a heartbeat that drops dead
 * peers, and a drain on shutdown. Kafka is not known here: whoever reads `deliveries` calls
 * `deliver` for each record.
 */
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from '@threadcast/runtime';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import { allowAll, type Authorize, type Claims } from './authorize';
import { createFanOut, type DeliveryRecord } from './fan-out';
import type { GatewayMetrics } from './gateway-metrics';
import { createPartitionPositions } from './partition-positions';
import {
  errorFrame,
  parseClientFrame,
  pongFrame,
  subscribedFrame,
  unsubscribedFrame,
  type ErrorCode,
  type FrameId,
} from './protocol';
import { createSubscriptions } from './subscriptions';

export const WS_PATH = '/ws';
/** "Service Restart": clients should reconnect, to another pod if need be. */
export const CLOSE_SERVICE_RESTART = 1012;

export interface GatewayServerOptions {
  maxFrameBytes: number;
  maxSubscriptions: number;
  pingIntervalMs: number;
  maxBufferedBytes: number;
  /** Partitions of `deliveries`, to find each channel's partition for the `subscribed` cursor. */
  partitionCount: number;
  metrics: GatewayMetrics;
  logger: Logger;
  authorize?: Authorize;
}

export interface GatewayServer {
  /** Hands one `deliveries` record to the sockets subscribed to its channel. */
  deliver(record: DeliveryRecord): void;
  /** Starts accepting sockets; resolves with the bound port. */
  listen(port: number, host?: string): Promise<number>;
  /**
   * Stops accepting sockets, asks every socket to close with 1012, waits up to `drainMs` for
   * them, then cuts the rest.
   */
  close(drainMs: number): Promise<void>;
  readonly socketCount: number;
}

interface Client {
  readonly ws: WebSocket;
  /** Cleared at each heartbeat ping; a pong or any frame sets it again. */
  alive: boolean;
  readonly claims: Claims | undefined;
}

const OPEN = 1;

export function createGatewayServer(opts: GatewayServerOptions): GatewayServer {
  const { metrics, logger, maxSubscriptions } = opts;
  const authorize = opts.authorize ?? allowAll;
  const clients = new Set<Client>();
  const subscriptions = createSubscriptions<Client>();
  const positions = createPartitionPositions(opts.partitionCount);
  const deliver = createFanOut({
    subscriptions,
    positions,
    metrics,
    maxBufferedBytes: opts.maxBufferedBytes,
  });

  const http = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (path === WS_PATH) return httpError(res, 426, 'upgrade_required', 'connect with a WebSocket');
    httpError(res, 404, 'not_found', `no route ${path}; the WebSocket endpoint is ${WS_PATH}`);
  });
  const wss = new WebSocketServer({
    server: http,
    path: WS_PATH,
    maxPayload: opts.maxFrameBytes,
    // Event frames are shared bytes written to many sockets; per-socket deflate would undo that.
    perMessageDeflate: false,
    clientTracking: false,
  });
  wss.on('error', (e) => logger.error({ err: e }, 'WebSocket server error'));

  let heartbeat: NodeJS.Timeout | undefined;
  let closing: Promise<void> | undefined;
  let drained: (() => void) | undefined;

  const send = (client: Client, text: string) => {
    if (client.ws.readyState === OPEN) client.ws.send(text);
  };
  const reject = (client: Client, code: ErrorCode, message: string, id: FrameId, channel?: string) => {
    metrics.framesRejected.inc({ code });
    send(client, errorFrame(code, message, id, channel));
  };

  const onMessage = (client: Client, data: RawData, isBinary: boolean) => {
    client.alive = true;
    if (isBinary) {
      return reject(client, 'bad_request', 'binary frames are not supported; send JSON text', undefined);
    }
    // Text messages arrive as one Buffer (binaryType nodebuffer), already checked as UTF-8 by ws.
    const op = parseClientFrame((data as Buffer).toString('utf8'));
    switch (op.op) {
      case 'invalid':
        return reject(client, op.code, op.message, op.id);
      case 'ping':
        return send(client, pongFrame(op.id));
      case 'subscribe': {
        const name = op.channel.name;
        if (!authorize(op.channel, client.claims)) {
          return reject(client, 'forbidden', `not allowed to subscribe to ${name}`, op.id, name);
        }
        const result = subscriptions.subscribe(client, name, maxSubscriptions);
        if (result === 'limit') {
          const message = `at most ${maxSubscriptions} subscriptions per socket`;
          return reject(client, 'too_many_subscriptions', message, op.id, name);
        }
        if (result === 'added') metrics.subscriptions.inc();
        // op.cursor (resume) is accepted and ignored until replay from deliveries exists.
        return send(client, subscribedFrame(name, positions.cursorForChannel(name), op.id));
      }
      case 'unsubscribe': {
        if (subscriptions.unsubscribe(client, op.channel.name)) metrics.subscriptions.dec();
        return send(client, unsubscribedFrame(op.channel.name, op.id));
      }
    }
  };

  const onClose = (client: Client) => {
    clients.delete(client);
    metrics.sockets.dec();
    const dropped = subscriptions.removeClient(client);
    if (dropped > 0) metrics.subscriptions.dec(dropped);
    if (clients.size === 0) drained?.();
  };

  wss.on('connection', (ws: WebSocket) => {
    const client: Client = { ws, alive: true, claims: undefined };
    clients.add(client);
    metrics.sockets.inc();
    ws.on('message', (data, isBinary) => onMessage(client, data, isBinary));
    ws.on('pong', () => (client.alive = true));
    // ws reports protocol violations here (then closes the socket itself: 1009 for oversize).
    ws.on('error', (e: Error & { code?: string }) => {
      const code = e.code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH' ? 'frame_too_large' : 'ws_protocol_error';
      metrics.framesRejected.inc({ code });
    });
    ws.on('close', () => onClose(client));
  });

  const beat = () => {
    for (const client of clients) {
      if (!client.alive) {
        client.ws.terminate();
        continue;
      }
      client.alive = false;
      client.ws.ping();
    }
  };

  const shutDown = async (drainMs: number) => {
    clearInterval(heartbeat);
    wss.close(); // an upgrade on an already open HTTP connection now gets 503
    const httpClosed = new Promise<void>((resolve) => http.close(() => resolve()));
    http.closeIdleConnections();
    const started = Date.now();
    logger.info({ sockets: clients.size, drainMs }, 'closing sockets');
    if (clients.size > 0) {
      const allClosed = new Promise<void>((resolve) => (drained = resolve));
      for (const client of clients) client.ws.close(CLOSE_SERVICE_RESTART, 'service restart');
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<void>((resolve) => (timer = setTimeout(resolve, drainMs)));
      await Promise.race([allClosed, timeout]);
      clearTimeout(timer);
      if (clients.size > 0) {
        logger.warn({ sockets: clients.size }, 'drain timed out; cutting the remaining sockets');
        for (const client of clients) client.ws.terminate();
        await allClosed;
      }
    }
    await httpClosed;
    logger.info({ ms: Date.now() - started }, 'sockets closed');
  };

  return {
    deliver,
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
      return clients.size;
    },
  };
}

function httpError(res: ServerResponse, status: number, code: string, message: string): void {
  const body = JSON.stringify({ error: { code, message } });
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
  res.end(body);
}
