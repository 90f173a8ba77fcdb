import { context, trace } from '@opentelemetry/api';
import { decodeEnrichedEvent, type CommentScoreState } from '@threadcast/contracts';
import type { OutRecord, StageHandler } from '@threadcast/kafka';
import { PoisonRecordError } from '@threadcast/runtime';
import type { Coalescer } from './coalescer';
import { deliveryMeta, deliveryRecord } from './delivery-record';
import { routeEvent, type RouteOptions } from './route-event';
import { scoreChangelogRecord } from './score-changelog';
import type { PendingScore } from './score-delivery';
import { applyVote } from './score-state';
import type { RouteMetrics } from './route-metrics';

export interface RouteHandlerDeps {
  route: RouteOptions;
  /** comment id -> its votes; shared with the changelog reader and the coalescer. */
  scores: Map<string, CommentScoreState>;
  coalescer: Coalescer<PendingScore>;
  /** Tags this process' changelog writes, so its reader does not apply them a second time. */
  writerId: string;
  metrics?: RouteMetrics;
}

/**
 * The route stage: an enriched event in, its deliveries out. A vote yields no delivery of its
 * own: it yields the comment's new vote state for `comments.scores`, committed with the vote's
 * offset, and marks the comment for the coalescer, which sends one `comment.score` per window.
 *
 * Crash semantics of the window: once the state and the offset are committed, the vote is never
 * seen again, so a crash before the window flushes loses that window's score update (one per
 * comment voted on in the last `ROUTE_VOTE_WINDOW_MS`); the next vote on the comment emits the
 * correct total, because totals come from the whole state, never from increments. A crash before
 * the commit replays the vote; applying it again changes nothing (latest vote per voter), and the
 * update it re-emits names the same last vote, so it has the same event id and clients dedupe it.
 * The update may be sent before the vote's own commit: that only risks such a duplicate.
 */
export function createRouteHandler(deps: RouteHandlerDeps): StageHandler {
  const { scores, coalescer, writerId, metrics } = deps;
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
    if (event.type === 'comment.voted') {
      const next = applyVote(scores.get(event.commentId), event);
      // Built before the table changes: a state too large to write is refused without a trace.
      const changelog = scoreChangelogRecord(next, { writerId, source: record });
      scores.set(event.commentId, next);
      coalescer.mark(event.commentId, {
        partition: record.partition,
        offset: record.offset,
        acceptedAt: event.acceptedAt,
        // Sent later, by the coalescer: its publish span still belongs to this vote's trace.
        meta: { ...meta, traceContext: context.active() },
      });
      return [changelog];
    }
    const deliveries = routeEvent(event, deps.route);
    span?.setAttribute('channel', deliveries.map((d) => d.channel).join(','));
    const out: OutRecord[] = new Array(deliveries.length);
    for (let i = 0; i < deliveries.length; i++) {
      const d = deliveries[i]!;
      out[i] = deliveryRecord(d, meta);
      metrics?.delivered(d.channel);
    }
    return out;
  };
}
