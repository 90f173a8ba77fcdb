/**
 * Where a comment's time went on its way to the sockets, hop by hop, from timestamps its
 * `deliveries` record already carries: ingest's accept time (`tc-accepted-at`), the `comments`
 * and `comments.enriched` records' Kafka timestamps (`tc-hops`, appended by the stage runner,
 * oldest first) and its own. Observed once per event per pod, beside the end-to-end latency.
 */
import type { Histogram } from 'prom-client';

/** Each hop ends where the next begins: accept -> comments -> comments.enriched -> deliveries -> sockets. */
export const HOPS = ['ingest', 'enrich', 'route', 'gateway'] as const;
export type Hop = (typeof HOPS)[number];

export type HopObserver = (
  acceptedAt: number,
  hops: string | undefined,
  recordTs: number,
  now: number,
) => void;

export function hopObserver(histogram: Histogram<'hop'>): HopObserver {
  // Label lookups hashed once here, not per record; every hop's series exists from the start
  // (at zero), so a rate over it is right from its first observation.
  const [ingest, enrich, route, gateway] = HOPS.map((hop) => {
    histogram.zero({ hop });
    return histogram.labels(hop);
  });
  const observe = (child: { observe(v: number): void }, from: number, to: number) => {
    // A timestamp that is missing or unreadable leaves its two hops out; clocks of different
    // hosts may disagree by a little, which must not turn into a negative duration.
    if (from > 0 && to > 0) child.observe(to > from ? (to - from) / 1000 : 0);
  };
  return (acceptedAt, hops, recordTs, now) => {
    let commentsTs = NaN;
    let enrichedTs = NaN;
    if (hops !== undefined) {
      // The nearest upstream records are the last two entries: anything before them (a record
      // re-driven from the DLQ carries its earlier life) is not a hop of this delivery.
      const last = hops.lastIndexOf(',');
      enrichedTs = parseMillis(hops, last + 1, hops.length);
      if (last > 0) commentsTs = parseMillis(hops, hops.lastIndexOf(',', last - 1) + 1, last);
    }
    observe(ingest!, acceptedAt, commentsTs);
    observe(enrich!, commentsTs, enrichedTs);
    observe(route!, enrichedTs, recordTs);
    observe(gateway!, recordTs, now);
  };
}

/** The decimal digits of s[start, end) as a number, NaN unless all are digits: no slice, no regex. */
export function parseMillis(s: string, start: number, end: number): number {
  if (end <= start || end - start > 16) return NaN;
  let n = 0;
  for (let i = start; i < end; i++) {
    const d = s.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return NaN;
    n = n * 10 + d;
  }
  return n;
}
