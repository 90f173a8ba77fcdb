import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

export interface IngestMetrics {
  requests: Counter<'route' | 'status' | 'caller'>;
  /** From send to Kafka's acknowledgement (or failure), per outcome. */
  produceSeconds: Histogram<'outcome'>;
  /** Bytes of records waiting for Kafka's acknowledgement (bounded by INGEST_PRODUCE_QUEUE_BYTES). */
  produceQueueBytes: Gauge;
}

export function ingestMetrics(registry: Registry): IngestMetrics {
  return {
    requests: new Counter({
      name: 'threadcast_ingest_requests_total',
      help: 'HTTP requests answered, by route pattern, status code and caller (the API key name; anonymous without keys, none when no valid key was presented).',
      labelNames: ['route', 'status', 'caller'],
      registers: [registry],
    }),
    produceSeconds: new Histogram({
      name: 'threadcast_ingest_produce_seconds',
      help: 'Time from producing a record to the broker acknowledging it (outcome ok|error|timeout|queue_full).',
      labelNames: ['outcome'],
      buckets: [0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    }),
    produceQueueBytes: new Gauge({
      name: 'threadcast_ingest_produce_queue_bytes',
      help: 'Bytes of records waiting for the broker to acknowledge them (at most INGEST_PRODUCE_QUEUE_BYTES).',
      registers: [registry],
    }),
  };
}
