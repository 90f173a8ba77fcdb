import { Counter, Histogram, type Registry } from 'prom-client';

export interface IngestMetrics {
  requests: Counter<'route' | 'status'>;
  /** From send to Kafka's acknowledgement (or failure), per outcome. */
  produceSeconds: Histogram<'outcome'>;
}

export function ingestMetrics(registry: Registry): IngestMetrics {
  return {
    requests: new Counter({
      name: 'threadcast_ingest_requests_total',
      help: 'HTTP requests answered, by route pattern and status code.',
      labelNames: ['route', 'status'],
      registers: [registry],
    }),
    produceSeconds: new Histogram({
      name: 'threadcast_ingest_produce_seconds',
      help: 'Time from producing a record to the broker acknowledging it (outcome ok|error|timeout).',
      labelNames: ['outcome'],
      buckets: [0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    }),
  };
}
