/**
 * The client-facing WebSocket endpoint: token check at the handshake, protocol v1 on `/ws`,
 * subscriptions that start from a cursor or from now, limits on what one socket may ask, a
 * heartbeat that drops dead peers, and a drain on shutdown. Records arrive through `deliver`;
 * which partitions get read is asked of the DeliveryFeed.
 */
import { STATUS_CODES, createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import {
  CLOSE_CODES,
  channelKey,
  errorFrame,
  parseClientFrame,
  pongFrame,
  resetFrame,
  subscribedFrame,
  unsubscribedFrame,
  type ClientOp,
  type ErrorCode,
  type FrameId,
} from '@threadcast/contracts';
import { partitionForKey, type PartitionBounds } from '@threadcast/kafka';
import type { Logger } from '@threadcast/runtime';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import { authorize, type Claims } from './authorize';
import { cursorOf, parseCursor, type Cursor } from './cursor';
import type { DeliveryFeed } from './delivery-feed';
import { createFanOut, type DeliveryRecord } from './fan-out';
import { textFrame } from './frame-delivery';
import type { GatewayMetrics } from './gateway-metrics';
import { createPartitionPositions } from './partition-positions';
import { createOriginCheck } from './origin-check';
import { createRateLimiter, type RateLimiter } from './rate-limiter';
import { subscriptionStart } from './subscription-start';
import { createSubscriptions } from './subscriptions';
import { TokenError, type VerifyToken } from './token-verifier';

export const WS_PATH = '/ws';
export const DEMO_TOKEN_PATH = '/demo-token';

/** Frames refused in a row, past the rate limit, before the socket is closed with 1008. */
const RATE_LIMIT_CLOSE_AFTER = 100;
/** A slow socket gets this long to read its backlog and the 1013 close frame before it is cut. */
const SLOW_CLOSE_GRACE_MS = 1000;
/** Node timers cannot wait longer (about 24.8 days). */
const MAX_TIMER_MS = 2 ** 31 - 1;

export interface GatewayServerOptions {
  maxFrameBytes: number;
  maxSubscriptions: number;
  pingIntervalMs: number;
  maxBufferedBytes: number;
  /** Sustained client frames per second per socket, and the burst allowed above it. */
  maxMessagesPerSecond: number;
  messageBurst: number;
  /** Records of a partition a cursor may be behind and still be resumed. */
  maxReplayRecords: number;
  feed: DeliveryFeed;
  metrics: GatewayMetrics;
  logger: Logger;
  /** Absent: no tokens are accepted, and sockets are anonymous (thread channels only). */
  verifyToken?: VerifyToken;
  /** Browser origins allowed to connect (GATEWAY_ALLOWED_ORIGINS); empty or absent: all. */
  allowedOrigins?: readonly string[];
  /**
   * Answers `GET /demo-token` (GATEWAY_DEV_AUTH); absent, that path says demo tokens are off.
   * See dev-tokens.ts.
   */
  demoTokens?: (query: URLSearchParams) => Promise<{ status: number; body: unknown }>;
  /** Called after a channel gained or lost a subscriber on this pod (presence). */
  onSubscribersChanged?(channel: string): void;
  now?: () => number;
}

export interface GatewayServer {
  /** Hands one `deliveries` record to the sockets subscribed to its channel. */
  deliver(record: DeliveryRecord): void;
  /** Starts accepting sockets; resolves with the bound port. */
  listen(port: number, host?: string): Promise<number>;
  /**
   * Refuses new sockets (503), asks every socket to close with 1012, waits up to `drainMs` for
   * them, then cuts the rest.
   */
  close(drainMs: number): Promise<void>;
  readonly socketCount: number;
  /** Subscribers of the channel on this pod. */
  subscriberCount(channel: string): number;
  /** Sends a text frame to every subscriber of the channel on this pod (presence). */
  broadcast(channel: string, frame: string): void;
}

interface Client {
  readonly ws: WebSocket;
  /** The TCP stream under `ws`, which fan-out corks while it writes a batch. */
  readonly stream: Duplex;
  /** Cleared at each heartbeat ping; a pong or any frame sets it again. */
  alive: boolean;
  readonly claims: Claims | undefined;
  readonly limiter: RateLimiter;
  /** Frames refused by the rate limit since the last one accepted. */
  refused: number;
  lastRateLimitError: number;
  /** Channels whose subscribe waits for Kafka's answer on where to start. */
  readonly pending: Set<string>;
  closed: boolean;
  slow: boolean;
  expiry: NodeJS.Timeout | undefined;
}

const OPEN = 1;

export function createGatewayServer(opts: GatewayServerOptions): GatewayServer {
  const { metrics, logger, maxSubscriptions, feed } = opts;
  const subscribersChanged = opts.onSubscribersChanged ?? (() => {});
  const now = opts.now ?? Date.now;
  const clients = new Set<Client>();
  const subscriptions = createSubscriptions<Client>((partition) => feed.stop(partition));
  const positions = createPartitionPositions(feed.partitionCount);
  const originAllowed = createOriginCheck(opts.allowedOrigins ?? []);
  const partitionOf = (channel: string) => partitionForKey(channelKey(channel), feed.partitionCount);

  const onSlowClient = (client: Client) => {
    if (client.slow) return;
    client.slow = true;
    metrics.slowSocketsCut.inc();
    // The close frame queues behind the backlog; a socket that reads nothing never sees it, so
    // it is cut after a grace period and its buffers freed.
    client.ws.close(CLOSE_CODES.tryAgainLater, 'slow consumer: too far behind');
    setTimeout(() => client.ws.terminate(), SLOW_CLOSE_GRACE_MS).unref();
  };
  const deliver = createFanOut({
    subscriptions,
    positions,
    metrics,
    maxBufferedBytes: opts.maxBufferedBytes,
    onSlowClient,
    now,
  });

  const serveDemoToken = async (req: IncomingMessage, res: ServerResponse, query: URLSearchParams) => {
    const origin = req.headers.origin;
    if (!originAllowed(origin, req.headers.host)) {
      return httpError(res, 403, 'forbidden_origin', 'pages from this origin may not ask for tokens');
    }
    // The demo page is on another port, so another origin: it may read the answer.
    const cors: Record<string, string> = origin
      ? { 'access-control-allow-origin': origin, vary: 'origin' }
      : {};
    if (req.method !== 'GET') {
      return httpError(res, 405, 'method_not_allowed', 'use GET', { ...cors, allow: 'GET' });
    }
    if (!opts.demoTokens) {
      return httpError(
        res,
        404,
        'demo_tokens_off',
        'demo tokens are minted only by a gateway running with the local development secret (GATEWAY_DEV_AUTH=true, as npm start does)',
        cors,
      );
    }
    const answer = await opts.demoTokens(query);
    const body = JSON.stringify(answer.body);
    res.writeHead(answer.status, {
      ...cors,
      'content-type': 'application/json',
      'content-length': Buffer.byteLength(body),
      'cache-control': 'no-store',
    });
    res.end(body);
  };

  const http = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://gateway');
    if (url.pathname === WS_PATH) return httpError(res, 426, 'upgrade_required', 'connect with a WebSocket');
    if (url.pathname === DEMO_TOKEN_PATH) {
      return void serveDemoToken(req, res, url.searchParams).catch((e: unknown) => {
        logger.error({ err: e }, 'demo token failed');
        if (!res.headersSent) httpError(res, 500, 'internal', 'could not mint a token');
      });
    }
    httpError(res, 404, 'not_found', `no route ${url.pathname}; the WebSocket endpoint is ${WS_PATH}`);
  });
  const wss = new WebSocketServer({
    noServer: true,
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

  const refuseUpgrade = (socket: Duplex, status: number, code: string, message: string) => {
    metrics.handshakesRefused.inc({ status });
    const body = JSON.stringify({ error: { code, message } });
    const auth = status === 401 ? 'WWW-Authenticate: Bearer error="invalid_token"\r\n' : '';
    socket.end(
      `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nConnection: close\r\n${auth}` +
        `Content-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
    );
  };

  const refuseDraining = (socket: Duplex) =>
    refuseUpgrade(socket, 503, 'shutting_down', 'this gateway is shutting down; connect to another one');

  const onUpgrade = async (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    // A peer that resets mid-handshake must not become an unhandled 'error'.
    socket.on('error', () => socket.destroy());
    // Cross-site WebSocket hijacking: a browser page from a site not on the list gets no socket.
    if (!originAllowed(req.headers.origin, req.headers.host)) {
      return refuseUpgrade(
        socket,
        403,
        'forbidden_origin',
        `pages from ${JSON.stringify(req.headers.origin!.slice(0, 200))} may not connect to this gateway`,
      );
    }
    const url = new URL(req.url ?? '/', 'http://gateway');
    if (url.pathname !== WS_PATH) {
      return refuseUpgrade(
        socket,
        404,
        'not_found',
        `no route ${url.pathname}; the WebSocket endpoint is ${WS_PATH}`,
      );
    }
    if (closing) return refuseDraining(socket);
    const token = url.searchParams.get('token');
    let claims: Claims | undefined;
    if (token !== null) {
      if (!opts.verifyToken) {
        return refuseUpgrade(
          socket,
          401,
          'unauthorized',
          'this gateway verifies no tokens (neither GATEWAY_JWT_SECRET nor GATEWAY_JWT_JWKS_URL is set); connect without ?token=',
        );
      }
      try {
        claims = await opts.verifyToken(token);
      } catch (e) {
        if (!(e instanceof TokenError)) logger.error({ err: e }, 'token verification failed unexpectedly');
        const status = e instanceof TokenError ? e.status : 503;
        const message = e instanceof TokenError ? e.message : 'token could not be verified';
        return refuseUpgrade(socket, status, status === 401 ? 'unauthorized' : 'unavailable', message);
      }
      if (socket.destroyed) return;
    }
    // Checked again: the drain may have begun while the token was verified.
    if (closing) return refuseDraining(socket);
    wss.handleUpgrade(req, socket, head, (ws) => onConnection(ws, socket, claims));
  };

  const subscribe = async (client: Client, op: Extract<ClientOp, { op: 'subscribe' }>) => {
    const name = op.channel.name;
    if (!authorize(op.channel, client.claims)) {
      return reject(client, 'forbidden', `not allowed to subscribe to ${name}`, op.id, name);
    }
    let cursor: Cursor | undefined;
    if (op.cursor !== undefined) {
      cursor = parseCursor(op.cursor);
      if (cursor === undefined || cursor.partition >= feed.partitionCount) {
        return reject(client, 'bad_request', 'cursor is not one this gateway issued', op.id, name);
      }
    }
    if (client.pending.has(name)) {
      return reject(client, 'bad_request', `already subscribing to ${name}`, op.id, name);
    }
    if (
      !subscriptions.has(client, name) &&
      subscriptions.countOf(client) + client.pending.size >= maxSubscriptions
    ) {
      const message = `at most ${maxSubscriptions} subscriptions per socket`;
      return reject(client, 'too_many_subscriptions', message, op.id, name);
    }
    const partition = partitionOf(name);
    let bounds: PartitionBounds | undefined;
    // The log's bounds are needed to check a cursor, or to know where "now" is in a partition
    // this pod does not read yet. A subscribe without cursor to a read partition is synchronous.
    if (cursor !== undefined || !feed.isReading(partition)) {
      client.pending.add(name);
      try {
        // A cursor is checked against fresh bounds (concurrent subscribes share one request):
        // one accepted just after retention removed its records would make the reader fall off
        // the log start, and kafkajs would then jump the whole partition to its end.
        bounds = (await feed.bounds(cursor === undefined ? undefined : 0))[partition];
      } catch (e) {
        logger.warn({ err: e }, 'could not read the bounds of deliveries');
        if (client.pending.delete(name)) {
          reject(client, 'unavailable', 'cannot reach Kafka to start the subscription; retry', op.id, name);
        }
        return;
      }
      // Unsubscribed or disconnected while waiting: nothing to do.
      if (!client.pending.delete(name) || client.closed) return;
    }
    const reading = feed.isReading(partition);
    const { start, reset } = subscriptionStart({
      partition,
      cursor,
      live: reading ? positions.live(partition) : undefined,
      bounds,
      maxReplay: opts.maxReplayRecords,
    });
    if (reset) {
      metrics.resets.inc();
      send(client, resetFrame(name, op.id));
    }
    const added = subscriptions.put(client, name, partition, start - 1);
    if (added) metrics.subscriptions.inc();
    // A partition read from now on: "now" for later subscribers is the log end, even when this
    // subscription starts earlier (its replay is not news to them).
    if (!reading) positions.restart(partition, bounds!.high);
    feed.readFrom(partition, start);
    send(client, subscribedFrame(name, cursorOf(partition, start), op.id));
    if (added) subscribersChanged(name);
  };

  const overRateLimit = (client: Client): boolean => {
    const t = now();
    if (client.limiter.take(t)) {
      client.refused = 0;
      return false;
    }
    metrics.framesRejected.inc({ code: 'rate_limited' });
    if (++client.refused >= RATE_LIMIT_CLOSE_AFTER) {
      client.ws.close(CLOSE_CODES.policyViolation, 'message rate limit exceeded');
    } else if (t - client.lastRateLimitError >= 1000) {
      // One error a second at most: answering every refused frame would amplify a flood.
      client.lastRateLimitError = t;
      const message = `more than ${opts.maxMessagesPerSecond} frames per second; frames are being dropped`;
      send(client, errorFrame('rate_limited', message, undefined));
    }
    return true;
  };

  const onMessage = (client: Client, data: RawData, isBinary: boolean) => {
    client.alive = true;
    if (overRateLimit(client)) return;
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
      case 'subscribe':
        return void subscribe(client, op).catch((e: unknown) => {
          logger.error({ err: e }, 'subscribe failed');
          reject(client, 'unavailable', 'subscription failed; retry', op.id, op.channel.name);
        });
      case 'unsubscribe': {
        const name = op.channel.name;
        client.pending.delete(name);
        const removed = subscriptions.remove(client, name);
        if (removed) metrics.subscriptions.dec();
        send(client, unsubscribedFrame(name, op.id));
        if (removed) subscribersChanged(name);
        return;
      }
    }
  };

  const onClose = (client: Client) => {
    client.closed = true;
    clearTimeout(client.expiry);
    client.pending.clear();
    clients.delete(client);
    metrics.sockets.dec();
    const channels = subscriptions.channelsOf(client);
    const dropped = subscriptions.removeClient(client);
    if (dropped > 0) metrics.subscriptions.dec(dropped);
    for (const channel of channels) subscribersChanged(channel);
    if (clients.size === 0) drained?.();
  };

  const onConnection = (ws: WebSocket, stream: Duplex, claims: Claims | undefined) => {
    const client: Client = {
      ws,
      stream,
      alive: true,
      claims,
      limiter: createRateLimiter(opts.maxMessagesPerSecond, opts.messageBurst, now()),
      refused: 0,
      lastRateLimitError: 0,
      pending: new Set(),
      closed: false,
      slow: false,
      expiry: undefined,
    };
    clients.add(client);
    metrics.sockets.inc();
    if (claims) {
      const left = claims.exp * 1000 - now();
      if (left <= MAX_TIMER_MS) {
        client.expiry = setTimeout(
          () => ws.close(CLOSE_CODES.tokenExpired, 'token expired'),
          Math.max(0, left),
        );
      }
    }
    ws.on('message', (data, isBinary) => onMessage(client, data, isBinary));
    ws.on('pong', () => (client.alive = true));
    // ws reports protocol violations here (then closes the socket itself: 1009 for oversize).
    ws.on('error', (e: Error & { code?: string }) => {
      const code = e.code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH' ? 'frame_too_large' : 'ws_protocol_error';
      metrics.framesRejected.inc({ code });
    });
    ws.on('close', () => onClose(client));
  };

  http.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    onUpgrade(req, socket, head).catch((e: unknown) => {
      logger.error({ err: e }, 'upgrade failed');
      socket.destroy();
    });
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
    const httpClosed = new Promise<void>((resolve) => http.close(() => resolve()));
    http.closeIdleConnections();
    const started = Date.now();
    logger.info({ sockets: clients.size, drainMs }, 'closing sockets');
    if (clients.size > 0) {
      const allClosed = new Promise<void>((resolve) => (drained = resolve));
      for (const client of clients) client.ws.close(CLOSE_CODES.serviceRestart, 'service restart');
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
    subscriberCount: (channel) => subscriptions.subscribers(channel)?.size ?? 0,
    broadcast(channel, text) {
      const subs = subscriptions.subscribers(channel);
      if (!subs) return;
      // Framed once, the same bytes to every socket, as fan-out does with events.
      const frame = textFrame(text);
      for (const sub of subs) {
        if (!sub.client.slow && sub.client.ws.readyState === OPEN) sub.client.stream.write(frame);
      }
    },
  };
}

function httpError(
  res: ServerResponse,
  status: number,
  code: string,
  message: string,
  headers: Record<string, string> = {},
): void {
  const body = JSON.stringify({ error: { code, message } });
  res.writeHead(status, {
    ...headers,
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(body),
  });
  res.end(body);
}
