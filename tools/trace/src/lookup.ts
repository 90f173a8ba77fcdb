import { CliError, usageError } from './errors';
import type { JaegerClient } from './jaeger-client';
import type { JaegerTrace } from './jaeger-types';
import { ATTR, COMMENT_SEARCH_SERVICES, SERVICES } from './semconv';

export type Query = { kind: 'trace'; traceId: string } | { kind: 'comment'; commentId: string };

export interface Window {
  startMs: number;
  endMs: number;
  limit: number;
}

const TRACE_ID = /^[0-9a-f]{32}$/i;
/** A W3C traceparent, as ingest returns it: version-traceid-spanid-flags. */
const TRACEPARENT = /^[0-9a-f]{2}-([0-9a-f]{32})-[0-9a-f]{16}-[0-9a-f]{2}$/i;
/** Comment ids are URL-safe tokens (libs/contracts). */
const COMMENT_ID = /^[A-Za-z0-9_.-]{1,128}$/;

/** A 32-hex trace id (or a whole traceparent header value) is a trace id; anything else a comment id. */
export function classify(input: string): Query {
  const text = input.trim();
  const parent = TRACEPARENT.exec(text);
  if (parent) return { kind: 'trace', traceId: parent[1]!.toLowerCase() };
  if (TRACE_ID.test(text)) return { kind: 'trace', traceId: text.toLowerCase() };
  if (COMMENT_ID.test(text)) return { kind: 'comment', commentId: text };
  throw usageError(`not a comment id or trace id: ${JSON.stringify(input)}`);
}

const RETRY = 'spans are exported in batches every few seconds; retry';

/** Every trace of a comment (its creation, edits, votes...), oldest first. */
export async function tracesOfComment(
  client: JaegerClient,
  commentId: string,
  w: Window,
): Promise<JaegerTrace[]> {
  const found = await Promise.all(
    COMMENT_SEARCH_SERVICES.map((service) =>
      client.search({ service, tags: { [ATTR.commentId]: commentId }, ...w }),
    ),
  );
  const byId = new Map<string, JaegerTrace>();
  for (const t of found.flat()) if (!byId.has(t.traceID)) byId.set(t.traceID, t);
  const start = (t: JaegerTrace) => Math.min(...t.spans.map((s) => s.startTime));
  return [...byId.values()].sort((a, b) => start(a) - start(b));
}

/** The traces a query names; a CliError (exit 1) that says to retry when there are none yet. */
export async function findTraces(client: JaegerClient, q: Query, w: Window): Promise<JaegerTrace[]> {
  if (q.kind === 'trace') {
    const trace = await client.getTrace(q.traceId);
    if (trace) return [trace];
    // A 32-hex string could still be a comment id.
    const asComment = await tracesOfComment(client, q.traceId, w);
    if (asComment.length) return asComment;
    throw new CliError(
      `no trace ${q.traceId} yet: ${RETRY}\n` +
        `(asked ${client.url}; a local Jaeger keeps traces in memory, so a restart forgets them)`,
      1,
    );
  }
  const traces = await tracesOfComment(client, q.commentId, w);
  if (traces.length) return traces;
  throw new CliError(
    `no trace for comment ${q.commentId} yet: ${RETRY}\n` +
      `(searched ${COMMENT_SEARCH_SERVICES.join(', ')} for ${ATTR.commentId}=${q.commentId} since ` +
      `${new Date(w.startMs).toISOString()} at ${client.url}; an older comment needs a longer --since)`,
    1,
  );
}

/** Traces the gateway took part in, in the window: the delivered comments to rank. */
export function deliveredTraces(client: JaegerClient, w: Window): Promise<JaegerTrace[]> {
  return client.search({ service: SERVICES.gateway, ...w });
}
