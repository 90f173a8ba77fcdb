/**
 * The gate every socket passes before it exists: origin, path, drain, the socket caps, then the
 * token. Refusals before the upgrade are HTTP answers with a JSON body; a socket over a cap is
 * upgraded and closed at once with a close code, because a browser sees a close code but never
 * the status of a refused handshake.
 */
import { STATUS_CODES, type IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { CLOSE_CODES } from '@threadcast/contracts';
import type { Logger } from '@threadcast/runtime';
import type { WebSocket, WebSocketServer } from 'ws';
import type { Claims } from './authorize';
import { clientAddressOf } from './client-address';
import type { GatewayMetrics } from './gateway-metrics';
import { WS_PATH } from './http-routes';
import type { OriginCheck } from './origin-check';
import type { SocketCaps } from './socket-caps';
import { TokenError, type VerifyToken } from './token-verifier';

/** How long a socket closed at once gets to answer the close before it is cut. */
const CLOSE_GRACE_MS = 1000;

export interface Accepted {
  ws: WebSocket;
  /** The TCP stream under `ws`, which fan-out writes ready-made frames to. */
  stream: Duplex;
  claims: Claims | undefined;
  /** What the socket is counted under (client-address.ts). */
  address: string;
}

export interface HandshakeDeps {
  wss: WebSocketServer;
  originAllowed: OriginCheck;
  caps: SocketCaps;
  /** Header naming the client address set by a trusted proxy (GATEWAY_CLIENT_ADDRESS_HEADER). */
  clientAddressHeader: string | undefined;
  /** Absent: no tokens are accepted, and sockets are anonymous (thread channels only). */
  verifyToken: VerifyToken | undefined;
  isDraining(): boolean;
  metrics: GatewayMetrics;
  logger: Logger;
  onAccepted(socket: Accepted): void;
}

/** The address a connection's slot is counted under, kept on the socket for `releaseSlot`. */
const ADDRESS = Symbol('client address');
type CountedSocket = Duplex & { [ADDRESS]: string };

/** A peer that resets mid-handshake must not become an unhandled 'error'. */
function destroyOnError(this: Duplex) {
  this.destroy();
}

export function createHandshake(deps: HandshakeDeps) {
  const { wss, originAllowed, caps, metrics, logger } = deps;
  // One listener for every connection (a closure per socket costs memory per idle socket).
  function releaseSlot(this: CountedSocket) {
    caps.release(this[ADDRESS]);
  }

  const refuse = (socket: Duplex, status: number, code: string, message: string) => {
    metrics.handshakesRefused.inc({ status });
    const body = JSON.stringify({ error: { code, message } });
    const auth = status === 401 ? 'WWW-Authenticate: Bearer error="invalid_token"\r\n' : '';
    socket.end(
      `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nConnection: close\r\n${auth}` +
        `Content-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
    );
  };
  const refuseDraining = (socket: Duplex) =>
    refuse(socket, 503, 'shutting_down', 'this gateway is shutting down; connect to another one');

  /** Upgrades and closes at once: the only refusal a browser's script can read. */
  const closeAtOnce = (req: IncomingMessage, socket: Duplex, head: Buffer, code: number, reason: string) => {
    wss.handleUpgrade(req, socket, head, (ws) => {
      ws.close(code, reason);
      // Not counted against any cap, so not left to wait for a peer that never answers.
      setTimeout(() => ws.terminate(), CLOSE_GRACE_MS).unref();
    });
  };

  const verify = async (socket: Duplex, token: string | null): Promise<Claims | undefined | false> => {
    if (token === null) return undefined;
    if (!deps.verifyToken) {
      refuse(
        socket,
        401,
        'unauthorized',
        'this gateway verifies no tokens (neither GATEWAY_JWT_SECRET nor GATEWAY_JWT_JWKS_URL is set); connect without ?token=',
      );
      return false;
    }
    try {
      return await deps.verifyToken(token);
    } catch (e) {
      if (!(e instanceof TokenError)) logger.error({ err: e }, 'token verification failed unexpectedly');
      const status = e instanceof TokenError ? e.status : 503;
      const message = e instanceof TokenError ? e.message : 'token could not be verified';
      refuse(socket, status, status === 401 ? 'unauthorized' : 'unavailable', message);
      return false;
    }
  };

  return async (req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> => {
    socket.on('error', destroyOnError);
    // Cross-site WebSocket hijacking: a browser page from a site not on the list gets no socket.
    if (!originAllowed(req.headers.origin, req.headers.host)) {
      return refuse(
        socket,
        403,
        'forbidden_origin',
        `pages from ${JSON.stringify(req.headers.origin!.slice(0, 200))} may not connect to this gateway`,
      );
    }
    const url = new URL(req.url ?? '/', 'http://gateway');
    if (url.pathname !== WS_PATH) {
      return refuse(
        socket,
        404,
        'not_found',
        `no route ${url.pathname}; the WebSocket endpoint is ${WS_PATH}`,
      );
    }
    if (deps.isDraining()) return refuseDraining(socket);
    if (socket.destroyed) return;
    const address = clientAddressOf(req, deps.clientAddressHeader);
    const admission = caps.take(address);
    if (admission !== 'ok') {
      metrics.socketsRefused.inc({ reason: admission });
      return admission === 'pod_full'
        ? closeAtOnce(req, socket, head, CLOSE_CODES.tryAgainLater, 'gateway full: reconnect later')
        : closeAtOnce(req, socket, head, CLOSE_CODES.tooManySockets, 'too many sockets from this address');
    }
    // The slot is held as long as the TCP connection: refused, failed or closed, it comes back.
    (socket as CountedSocket)[ADDRESS] = address;
    socket.once('close', releaseSlot);
    const claims = await verify(socket, url.searchParams.get('token'));
    if (claims === false || socket.destroyed) return;
    // Checked again: the drain may have begun while the token was verified.
    if (deps.isDraining()) return refuseDraining(socket);
    wss.handleUpgrade(req, socket, head, (ws) => deps.onAccepted({ ws, stream: socket, claims, address }));
  };
}
