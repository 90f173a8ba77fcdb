/**
 * One socket's life after the handshake: protocol v1 frames in, control frames out, its
 * subscriptions and their replays, its limits. Every limit a socket has lives here: frames per
 * second, subscriptions, replay budget, and the bytes queued to it, which every write checks,
 * so a socket that reads nothing is cut before it holds more than `maxBufferedBytes`.
 */
import {
  CLOSE_CODES,
  channelKey,
  errorFrame,
  parseClientFrame,
  pongFrame,
  presenceFrame,
  resetFrame,
  subscribedFrame,
  unsubscribedFrame,
  type ClientOp,
  type ErrorCode,
  type FrameId,
} from '@threadcast/contracts';
import { partitionForKey, type PartitionBounds } from '@threadcast/kafka';
import type { Logger } from '@threadcast/runtime';
import type { RawData, WebSocket } from 'ws';
import type { Duplex } from 'node:stream';
import { authorize, type Claims } from './authorize';
import { NOT_LIVE_YET, type CatchUp } from './catch-up';
import { cursorOf, parseCursor, type Cursor } from './cursor';
import type { DeliveryFeed } from './delivery-feed';
import type { GatewayMetrics } from './gateway-metrics';
import type { PartitionPositions } from './partition-positions';
import { createRateLimiter, type RateLimiter } from './rate-limiter';
import type { ReaderCounts } from './reader-counts';
import { subscriptionStart } from './subscription-start';
import type { Subscriptions } from './subscriptions';

/** Frames refused in a row, past the rate limit, before the socket is closed with 1008. */
const RATE_LIMIT_CLOSE_AFTER = 100;
/** A slow socket gets this long to read its backlog and the 1013 close frame before it is cut. */
const SLOW_CLOSE_GRACE_MS = 1000;
/** Node timers cannot wait longer (about 24.8 days). */
const MAX_TIMER_MS = 2 ** 31 - 1;
/** The replay budget refills in this time. */
const REPLAY_BUDGET_WINDOW_MS = 60_000;
const OPEN = 1;

export interface SessionLimits {
  maxSubscriptions: number;
  maxBufferedBytes: number;
  /** Sustained client frames per second per socket, and the burst allowed above it. */
  maxMessagesPerSecond: number;
  messageBurst: number;
  /** Records of a partition a cursor may be behind and still be resumed. */
  maxReplayRecords: number;
  /** Records of replay one socket may cost the pod per minute; a resume past it is reset. */
  replayBudgetRecords: number;
  /** Replays in progress per pod; a resume past it is reset. */
  maxReplays: number;
}

export interface Session {
  readonly ws: WebSocket;
  /** The TCP stream under `ws`, which fan-out corks while it writes a batch. */
  readonly stream: Duplex;
  readonly address: string;
  /** Cleared at each heartbeat ping; only a pong sets it again. */
  alive: boolean;
  readonly claims: Claims | undefined;
  readonly limiter: RateLimiter;
  /** Records of replay left, and when that was counted. */
  replayBudget: number;
  replayBudgetAt: number;
  /** Frames refused by the rate limit since the last one accepted. */
  refused: number;
  lastRateLimitError: number;
  /** Channels whose subscribe waits for Kafka's answer on where to start (made at the first). */
  pending: Set<string> | undefined;
  closed: boolean;
  slow: boolean;
  expiry: NodeJS.Timeout | undefined;
}

const SESSION = Symbol('session');
type SessionSocket = WebSocket & { [SESSION]: Session };

export interface SessionDeps {
  limits: SessionLimits;
  subscriptions: Subscriptions<Session>;
  positions: PartitionPositions;
  feed: DeliveryFeed;
  catchUp: CatchUp<Session>;
  readers: ReaderCounts;
  metrics: GatewayMetrics;
  logger: Logger;
  /** Called after a channel gained or lost a reader (client address) on this pod. */
  readersChanged(channel: string): void;
  /**
   * The channel's reader count across pods, for a new subscriber whose address already reads the
   * channel here: its arrival changes no count, so no presence frame would tell it.
   */
  presenceTotal?(channel: string): number;
  now: () => number;
}

export interface SessionProtocol {
  open(ws: WebSocket, stream: Duplex, claims: Claims | undefined, address: string): Session;
  /** Cuts a socket that fell too far behind: 1013, then terminated after a grace period. */
  cutSlow(session: Session): void;
  /** True when a frame may be written to the socket now; cuts it when its backlog is too big. */
  writable(session: Session): boolean;
}

export function createSessionProtocol(
  deps: SessionDeps,
  onClosed: (session: Session) => void,
): SessionProtocol {
  const { limits, subscriptions, positions, feed, catchUp, readers, metrics, logger, now } = deps;
  const partitionOf = (channel: string) => partitionForKey(channelKey(channel), feed.partitionCount);

  const cutSlow = (s: Session) => {
    if (s.slow) return;
    s.slow = true;
    metrics.slowSocketsCut.inc();
    // The close frame queues behind the backlog; a socket that reads nothing never sees it, so
    // it is cut after a grace period and its buffers freed.
    s.ws.close(CLOSE_CODES.tryAgainLater, 'slow consumer: too far behind');
    setTimeout(() => s.ws.terminate(), SLOW_CLOSE_GRACE_MS).unref();
  };
  const writable = (s: Session): boolean => {
    if (s.slow || s.ws.readyState !== OPEN) return false;
    if (s.ws.bufferedAmount > limits.maxBufferedBytes) {
      cutSlow(s);
      return false;
    }
    return true;
  };
  const send = (s: Session, text: string) => {
    if (writable(s)) s.ws.send(text);
  };
  const reject = (s: Session, code: ErrorCode, message: string, id: FrameId, channel?: string) => {
    metrics.framesRejected.inc({ code });
    send(s, errorFrame(code, message, id, channel));
  };

  /** Takes `records` from the socket's replay budget, refilled evenly over a minute. */
  const takeReplayBudget = (s: Session, records: number): boolean => {
    const t = now();
    const refill = ((t - s.replayBudgetAt) * limits.replayBudgetRecords) / REPLAY_BUDGET_WINDOW_MS;
    s.replayBudget = Math.min(limits.replayBudgetRecords, s.replayBudget + refill);
    s.replayBudgetAt = t;
    if (records > s.replayBudget) return false;
    s.replayBudget -= records;
    return true;
  };

  const subscribe = async (s: Session, op: Extract<ClientOp, { op: 'subscribe' }>) => {
    const name = op.channel.name;
    if (!authorize(op.channel, s.claims)) {
      return reject(s, 'forbidden', `not allowed to subscribe to ${name}`, op.id, name);
    }
    let cursor: Cursor | undefined;
    if (op.cursor !== undefined) {
      cursor = parseCursor(op.cursor);
      if (cursor === undefined || cursor.partition >= feed.partitionCount) {
        return reject(s, 'bad_request', 'cursor is not one this gateway issued', op.id, name);
      }
    }
    if (s.pending?.has(name)) {
      return reject(s, 'bad_request', `already subscribing to ${name}`, op.id, name);
    }
    const held = subscriptions.get(s, name);
    if (held) {
      // A resume moves a reader back in the log: only a new subscription may ask for one, so a
      // socket cannot replay the same channel over and over. Without a cursor: nothing changes.
      if (cursor !== undefined) {
        const message = `already subscribed to ${name}; unsubscribe before resuming from a cursor`;
        return reject(s, 'bad_request', message, op.id, name);
      }
      const at = held.after === NOT_LIVE_YET ? undefined : held.after + 1;
      return send(
        s,
        subscribedFrame(name, cursorOf(held.partition, at ?? positions.live(held.partition) ?? 0), op.id),
      );
    }
    if (subscriptions.countOf(s) + (s.pending?.size ?? 0) >= limits.maxSubscriptions) {
      const message = `at most ${limits.maxSubscriptions} subscriptions per socket`;
      return reject(s, 'too_many_subscriptions', message, op.id, name);
    }
    const partition = partitionOf(name);
    let bounds: PartitionBounds | undefined;
    // The log's bounds are needed to check a cursor, or to know where "now" is in a partition
    // this pod does not read yet. A subscribe without cursor to a read partition is synchronous.
    if (cursor !== undefined || !feed.isReading(partition)) {
      (s.pending ??= new Set()).add(name);
      try {
        // A cursor is checked against fresh bounds (concurrent subscribes share one request):
        // one accepted just after retention removed its records would make the reader fall off
        // the log start, and kafkajs would then jump the whole partition to its end.
        bounds = (await feed.bounds(cursor === undefined ? undefined : 0))[partition];
      } catch (e) {
        logger.warn({ err: e }, 'could not read the bounds of deliveries');
        if (s.pending?.delete(name)) {
          reject(s, 'unavailable', 'cannot reach Kafka to start the subscription; retry', op.id, name);
        }
        return;
      }
      // Unsubscribed or disconnected while waiting: nothing to do.
      if (!s.pending?.delete(name) || s.closed) return;
    }
    // The live reader starts at the log end and never moves back: replays have their own path.
    if (!feed.isReading(partition)) {
      positions.restart(partition, bounds!.high);
      feed.readFrom(partition, bounds!.high);
    }
    let { start, reset } = subscriptionStart({
      partition,
      cursor,
      live: positions.live(partition),
      bounds,
      maxReplay: limits.maxReplayRecords,
    });
    const live = positions.live(partition)!;
    const replay = Math.max(0, live - start);
    if (replay > 0 && (catchUp.active >= limits.maxReplays || !takeReplayBudget(s, replay))) {
      // Over this socket's budget, or the pod's: the client refetches history elsewhere.
      metrics.replaysRefused.inc({ reason: catchUp.active >= limits.maxReplays ? 'pod' : 'socket' });
      start = live;
      reset = true;
    }
    if (reset) {
      metrics.resets.inc();
      send(s, resetFrame(name, op.id));
    }
    subscriptions.put(s, name, partition, start < live ? NOT_LIVE_YET : start - 1);
    metrics.subscriptions.inc();
    send(s, subscribedFrame(name, cursorOf(partition, start), op.id));
    if (start < live) catchUp.start(subscriptions.get(s, name)!, start);
    if (readers.add(name, s.address)) deps.readersChanged(name);
    else if (deps.presenceTotal) send(s, presenceFrame(name, deps.presenceTotal(name)));
  };

  const unsubscribe = (s: Session, name: string) => {
    const sub = subscriptions.get(s, name);
    if (!sub) return false;
    catchUp.cancel(sub);
    subscriptions.remove(s, name);
    metrics.subscriptions.dec();
    if (readers.remove(name, s.address)) deps.readersChanged(name);
    return true;
  };

  const overRateLimit = (s: Session): boolean => {
    const t = now();
    if (s.limiter.take(t)) {
      s.refused = 0;
      return false;
    }
    metrics.framesRejected.inc({ code: 'rate_limited' });
    if (++s.refused >= RATE_LIMIT_CLOSE_AFTER) {
      s.ws.close(CLOSE_CODES.policyViolation, 'message rate limit exceeded');
    } else if (t - s.lastRateLimitError >= 1000) {
      // One error a second at most: answering every refused frame would amplify a flood.
      s.lastRateLimitError = t;
      const message = `more than ${limits.maxMessagesPerSecond} frames per second; frames are being dropped`;
      send(s, errorFrame('rate_limited', message, undefined));
    }
    return true;
  };

  const onMessage = (s: Session, data: RawData, isBinary: boolean) => {
    // Not liveness: a peer that sends but never reads must not look alive (only pongs count).
    if (overRateLimit(s)) return;
    if (isBinary) {
      return reject(s, 'bad_request', 'binary frames are not supported; send JSON text', undefined);
    }
    // Text messages arrive as one Buffer (binaryType nodebuffer), already checked as UTF-8 by ws.
    const op = parseClientFrame((data as Buffer).toString('utf8'));
    switch (op.op) {
      case 'invalid':
        return reject(s, op.code, op.message, op.id);
      case 'ping':
        return send(s, pongFrame(op.id));
      case 'subscribe':
        return void subscribe(s, op).catch((e: unknown) => {
          logger.error({ err: e }, 'subscribe failed');
          reject(s, 'unavailable', 'subscription failed; retry', op.id, op.channel.name);
        });
      case 'unsubscribe': {
        const name = op.channel.name;
        s.pending?.delete(name);
        unsubscribe(s, name);
        return send(s, unsubscribedFrame(name, op.id));
      }
    }
  };

  const onClose = (s: Session) => {
    s.closed = true;
    clearTimeout(s.expiry);
    s.pending?.clear();
    metrics.sockets.dec();
    for (const channel of subscriptions.channelsOf(s)) unsubscribe(s, channel);
    onClosed(s);
  };

  function onWsMessage(this: WebSocket, data: RawData, isBinary: boolean) {
    onMessage((this as SessionSocket)[SESSION], data, isBinary);
  }
  function onWsPong(this: WebSocket) {
    (this as SessionSocket)[SESSION].alive = true;
  }
  // ws reports protocol violations here (then closes the socket itself: 1009 for oversize).
  function onWsError(e: Error & { code?: string }) {
    const code = e.code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH' ? 'frame_too_large' : 'ws_protocol_error';
    metrics.framesRejected.inc({ code });
  }
  function onWsClose(this: WebSocket) {
    onClose((this as SessionSocket)[SESSION]);
  }

  return {
    cutSlow,
    writable,
    open(ws, stream, claims, address) {
      const t = now();
      const s: Session = {
        ws,
        stream,
        address,
        alive: true,
        claims,
        limiter: createRateLimiter(limits.maxMessagesPerSecond, limits.messageBurst, t),
        replayBudget: limits.replayBudgetRecords,
        replayBudgetAt: t,
        refused: 0,
        lastRateLimitError: 0,
        pending: undefined,
        closed: false,
        slow: false,
        expiry: undefined,
      };
      metrics.sockets.inc();
      if (claims) {
        const left = claims.exp * 1000 - t;
        if (left <= MAX_TIMER_MS) {
          s.expiry = setTimeout(() => ws.close(CLOSE_CODES.tokenExpired, 'token expired'), Math.max(0, left));
        }
      }
      // The same four listeners for every socket, finding the session through the socket: a
      // closure per socket per event cost ~1 KB of RSS per idle socket (docs/benchmarks.md).
      (ws as SessionSocket)[SESSION] = s;
      ws.on('message', onWsMessage);
      ws.on('pong', onWsPong);
      ws.on('error', onWsError);
      ws.on('close', onWsClose);
      return s;
    },
  };
}
