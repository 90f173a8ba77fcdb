import { ConfigError } from '@threadcast/config';
import type { Logger } from '@threadcast/runtime';
import Fastify, { type FastifyError, type FastifyInstance, type FastifyReply } from 'fastify';
import type { Socket } from 'node:net';
import type { Registry } from 'prom-client';
import { createWriteAcceptor } from './accept-write';
import { createCallerCheck } from './api-keys';
import { corsHeaders } from './cors';
import { registerCommentRoutes } from './comment-routes';
import type { IngestConfig } from './config';
import { everySoOften } from '@threadcast/runtime';
import { HttpError, errorBody } from './http-error';
import { createIdempotencyCache } from './idempotency-cache';
import { ingestMetrics } from './ingest-metrics';
import { checkJsonCharset, parseJsonBody } from './json-body';
import { createRateLimiter } from './rate-limiter';
import { createProduceQueue, type RecordSender } from './produce-queue';
import { callerNameOf, setCaller } from './request-caller';
import { nameRequestSpan, responseTraceparent } from './request-span';
import { registerTableRoutes } from './table-routes';

export type IngestAppConfig = Pick<
  IngestConfig,
  | 'INGEST_MAX_BODY_BYTES'
  | 'INGEST_API_KEYS'
  | 'INGEST_ALLOW_ANONYMOUS'
  | 'INGEST_PRODUCE_QUEUE_BYTES'
  | 'INGEST_CORS_ORIGINS'
  | 'INGEST_RATE_PER_AUTHOR'
  | 'INGEST_BURST_PER_AUTHOR'
  | 'INGEST_RATE_MAX_AUTHORS'
  | 'INGEST_PRODUCE_TIMEOUT_MS'
  | 'INGEST_IDEMPOTENCY_CACHE_SIZE'
  | 'INGEST_IDEMPOTENCY_TTL_SECONDS'
>;

export interface IngestAppDeps {
  config: IngestAppConfig;
  producer: RecordSender;
  /** Kafka reachable (and the producer connected); writes get 503 at once while it is not. */
  health: { isHealthy(): boolean };
  registry: Registry;
  logger: Logger;
  /** Where the app adds its own readiness check (`produce`: not ready while produces fail). */
  readiness?: { add(name: string, check: () => boolean): void };
  now?: () => number;
}

/**
 * The client HTTP API as a fastify instance, not yet listening. Every answer other than success
 * has the body `{error:{code,message,field?}}`, fastify's own errors included. Throws a
 * ConfigError when it would be open to anyone without INGEST_ALLOW_ANONYMOUS.
 */
export function buildIngestApp(deps: IngestAppDeps): FastifyInstance {
  const { config, logger } = deps;
  const callerOfHeaders = createCallerCheck(config.INGEST_API_KEYS, config.INGEST_ALLOW_ANONYMOUS);
  if (config.INGEST_PRODUCE_QUEUE_BYTES < 2 * config.INGEST_MAX_BODY_BYTES) {
    throw new ConfigError(
      'INGEST_PRODUCE_QUEUE_BYTES',
      `must be at least twice INGEST_MAX_BODY_BYTES (${2 * config.INGEST_MAX_BODY_BYTES}), or a big write never fits`,
    );
  }
  const metrics = ingestMetrics(deps.registry);
  const queue = createProduceQueue(deps.producer, {
    maxBytes: config.INGEST_PRODUCE_QUEUE_BYTES,
    timeoutMs: config.INGEST_PRODUCE_TIMEOUT_MS,
    produceSeconds: metrics.produceSeconds,
    queueBytes: metrics.produceQueueBytes,
    now: deps.now,
  });
  deps.readiness?.add('produce', () => !queue.isFailing());
  const accept = createWriteAcceptor({
    producer: queue,
    isKafkaHealthy: () => deps.health.isHealthy(),
    limiter: createRateLimiter({
      ratePerSecond: config.INGEST_RATE_PER_AUTHOR,
      burst: config.INGEST_BURST_PER_AUTHOR,
      maxKeys: config.INGEST_RATE_MAX_AUTHORS,
      now: deps.now,
    }),
    cache: createIdempotencyCache<object>({
      maxEntries: config.INGEST_IDEMPOTENCY_CACHE_SIZE,
      ttlMs: config.INGEST_IDEMPOTENCY_TTL_SECONDS * 1000,
      now: deps.now,
    }),
    now: deps.now,
  });
  const warnUnavailable = everySoOften<HttpError>(5000, (e, skipped) =>
    logger.warn({ err: e.cause ?? e, skipped }, `answering 503: ${e.message}`),
  );
  let closing = false;

  const app = Fastify({
    logger: false,
    bodyLimit: config.INGEST_MAX_BODY_BYTES,
    // Ids may be 128 characters; longer ones should reach the route and get a 400 naming them.
    routerOptions: { maxParamLength: 512 },
    return503OnClosing: false,
    frameworkErrors: (err, _request, reply) => {
      // The option's type is generic over route schemas this app does not use.
      (reply as unknown as FastifyReply).code(400).send(errorBody('bad_request', err.message));
    },
    clientErrorHandler: (err, socket) => writeClientError(err, socket),
  });

  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (request, raw, done) => {
    try {
      checkJsonCharset(request.headers['content-type']);
      done(null, parseJsonBody(raw as Buffer));
    } catch (e) {
      done(e as Error, undefined);
    }
  });

  app.addHook('preClose', (done) => {
    closing = true;
    done();
  });

  app.addHook('onRequest', (request, reply, done) => {
    const origin = request.headers.origin;
    const preflight =
      request.method === 'OPTIONS' && request.headers['access-control-request-method'] !== undefined;
    const cors = corsHeaders(config.INGEST_CORS_ORIGINS, origin, preflight);
    if (cors) reply.headers(cors);
    if (preflight) {
      // Answered before the API-key check: browsers send preflights without credentials.
      reply.code(cors ? 204 : 403);
      if (cors) reply.send();
      else reply.send(errorBody('forbidden', `origin ${origin ?? '(none)'} is not in INGEST_CORS_ORIGINS`));
      return;
    }
    if (closing) {
      reply
        .header('connection', 'close')
        .code(503)
        .send(errorBody('shutting_down', 'this instance is shutting down; retry'));
      return;
    }
    const caller = callerOfHeaders(request.headers);
    if (caller === undefined) {
      reply
        .code(401)
        .send(errorBody('unauthorized', 'a valid API key is required (x-api-key or Authorization: Bearer)'));
      return;
    }
    setCaller(request, caller);
    done();
  });

  // Answers finishing after close began end their keep-alive connection, or close() would wait
  // for the client to hang up.
  app.addHook('onSend', (request, reply, payload, done) => {
    if (closing) reply.header('connection', 'close');
    // The caller can hand this to on-call: `npm run trace -- <trace id>` finds the journey.
    const traceparent = responseTraceparent();
    if (traceparent !== undefined) {
      const url = request.routeOptions.url;
      if (url !== undefined) nameRequestSpan(`${request.method} ${url}`);
      reply.header('traceparent', traceparent).header('x-trace-id', traceparent.slice(3, 35));
    }
    done(null, payload);
  });

  app.addHook('onResponse', (request, reply, done) => {
    const url = request.routeOptions.url;
    metrics.requests.inc({
      route: url === undefined ? 'unmatched' : `${request.method} ${url}`,
      status: reply.statusCode,
      caller: callerNameOf(request),
    });
    done();
  });

  app.setNotFoundHandler((request, reply) => {
    reply
      .code(404)
      .send(errorBody('not_found', `no route ${request.method} ${request.url.split('?')[0]!.slice(0, 200)}`));
  });

  app.setErrorHandler((err: FastifyError | HttpError, request, reply) => {
    const e = toHttpError(err);
    if (e.status === 503) warnUnavailable(e);
    else if (e.status >= 500) {
      logger.error({ err, route: request.routeOptions.url, caller: callerNameOf(request) }, 'request failed');
    }
    reply.code(e.status).headers(e.headers).send(e.body());
  });

  registerCommentRoutes(app, accept);
  registerTableRoutes(app, accept);
  return app;
}

/** Fastify's own errors (body limit, media type, ...) in the API's error shape. */
function toHttpError(err: FastifyError | HttpError): HttpError {
  if (err instanceof HttpError) return err;
  switch (err.statusCode) {
    case 413:
      return new HttpError(413, 'payload_too_large', 'the body is larger than this API accepts');
    case 415:
      return new HttpError(415, 'unsupported_media_type', 'send application/json in UTF-8 (charset=utf-8)');
  }
  if (err.statusCode !== undefined && err.statusCode >= 400 && err.statusCode < 500) {
    return new HttpError(err.statusCode, 'bad_request', err.message);
  }
  return new HttpError(500, 'internal', 'internal error', { cause: err });
}

/** Malformed HTTP (never reaches a route): answered in the API's shape, then the socket closes. */
function writeClientError(err: Error & { code?: string }, socket: Socket): void {
  if (err.code === 'ECONNRESET' || socket.destroyed) return;
  const [status, reason, code] =
    err.code === 'ERR_HTTP_REQUEST_TIMEOUT'
      ? [408, 'Request Timeout', 'request_timeout']
      : err.code === 'HPE_HEADER_OVERFLOW'
        ? [431, 'Request Header Fields Too Large', 'headers_too_large']
        : [400, 'Bad Request', 'bad_request'];
  const body = JSON.stringify(errorBody(code, reason.toLowerCase()));
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${status} ${reason}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy(err);
}
