import { context, trace } from '@opentelemetry/api';
import { decodeEnrichedEvent } from '@threadcast/contracts';
import type { OutRecord, StageHandler } from '@threadcast/kafka';
import { PoisonRecordError } from '@threadcast/runtime';
import { isExpired, type StateStore } from '@threadcast/store';
import type { Coalescer } from './coalescer';
import { deliveryMeta, deliveryRecord } from './delivery-record';
import { routeEvent, type RouteOptions } from './route-event';
import type { PendingScore } from './score-delivery';
import type { RouteMetrics } from './route-metrics';
import { applyVote, recordCreated, recordDeleted } from './vote-store';

export interface RouteHandlerDeps {
  route: RouteOptions;
  /** The `votes` store: the partition of each record's own comments.enriched partition. */
  votes: Pick<StateStore, 'partition'>;
  coalescer: Coalescer<PendingScore>;
  metrics?: RouteMetrics;
  /** STATE_RETENTION_DAYS as ms (0: keep forever), and the wall clock (tests pass a fake one). */
  retention?: { windowMs: number; now(): number };
}

/**
 * The route stage: an enriched event in, its deliveries out, and the changelog records of its
 * `votes` store partition (vote-store.ts): a creation records that the comment exists, a delete
 * tombstones its state, a vote updates the voter's vote and the comment's tally (O(1)) and marks
 * the comment for the coalescer, which sends one `comment.score` per window.
 *
 * Crash semantics of the window: once the vote's changelog record and offset are committed, the
 * vote is never seen again, so a crash before the window flushes loses that window's score update
 * (one per comment voted on in the last `ROUTE_VOTE_WINDOW_MS`); the next vote on the comment
 * emits the correct total. A crash before the commit replays the vote; applying it again changes
 * no tally (latest vote per voter), and the update it re-emits names the same last vote, so it
 * has the same event id and clients dedupe it.
 *
 * Retention: a comment created (its acceptedAt) more than the window ago is dropped by the store's
 * sweep (main.ts); a vote cast more than the window after its comment's creation is dead-lettered
 * `unknown_comment` like a vote for a comment that never existed, swept yet or not.
 */
export function createRouteHandler(deps: RouteHandlerDeps): StageHandler {
  const { votes, coalescer, metrics } = deps;
  const windowMs = deps.retention?.windowMs ?? 0;
  const now = deps.retention?.now ?? Date.now;
  return (record) => {
    const decoded = decodeEnrichedEvent(record.value);
    if (!decoded.ok) throw new PoisonRecordError(decoded.code, decoded.message, { field: decoded.field });
    const event = decoded.value;
    // On the record's processing span (libs/kafka runs each record in its own).
    const span = trace.getActiveSpan();
    span?.setAttributes({
      'comment.id': event.commentId,
      'thread.id': event.threadId,
      'event.type': event.type,
    });
    const meta = deliveryMeta(record.headers, event.acceptedAt);
    const state = votes.partition(record.partition);
    if (event.type === 'comment.voted') {
      const { record: changelog } = applyVote(state, event, windowMs);
      coalescer.mark(event.commentId, {
        partition: record.partition,
        threadId: event.threadId,
        offset: record.offset,
        acceptedAt: event.acceptedAt,
        // Sent later, by the coalescer: its publish span still belongs to this vote's trace.
        meta: { ...meta, traceContext: context.active() },
      });
      return [changelog];
    }
    const deliveries = routeEvent(event, deps.route);
    span?.setAttribute('channel', deliveries.map((d) => d.channel).join(','));
    const out: OutRecord[] = [];
    for (const d of deliveries) {
      out.push(deliveryRecord(d, meta));
      metrics?.delivered(d.channel);
    }
    if (event.type === 'comment.created') {
      // A creation already past the window (a replay of old history) is not kept: the sweep would
      // drop it at once.
      const createdAtMs = Date.parse(event.acceptedAt);
      if (!isExpired(createdAtMs, now(), windowMs))
        out.push(...recordCreated(state, event.commentId, event.threadId, createdAtMs));
    } else if (event.type === 'comment.deleted') out.push(...recordDeleted(state, event.commentId));
    return out;
  };
}
