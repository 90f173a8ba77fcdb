import { Counter, Gauge, type Registry } from 'prom-client';

export interface RouteMetrics {
  /** Counts one delivery by its channel kind (thread, user, mod). */
  delivered(channel: string): void;
  scoreFlush: Counter<'outcome'>;
}

/** route's own metrics; the stage runner adds the per-record ones. */
export function routeMetrics(registry: Registry, gauges: { dirtyComments: () => number }): RouteMetrics {
  const deliveries = new Counter({
    name: 'threadcast_route_deliveries_total',
    help: 'Deliveries route produced for comment events (score updates are counted apart), by channel kind.',
    labelNames: ['kind'],
    registers: [registry],
  });
  // Bound children: no label lookup per record.
  const thread = deliveries.labels('thread');
  const user = deliveries.labels('user');
  const mod = deliveries.labels('mod');
  const scoreFlush = new Counter({
    name: 'threadcast_route_score_updates_total',
    help: 'comment.score deliveries sent by the vote coalescer, and comments whose flush failed (retried).',
    labelNames: ['outcome'],
    registers: [registry],
  });
  new Gauge({
    name: 'threadcast_route_dirty_comments',
    help: 'Comments with votes whose score update waits for the next window.',
    registers: [registry],
    collect() {
      this.set(gauges.dirtyComments());
    },
  });
  return {
    delivered(channel) {
      const c = channel.charCodeAt(0);
      (c === 116 /* t */ ? thread : c === 117 /* u */ ? user : mod).inc();
    },
    scoreFlush,
  };
}
