import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

/** Consumer-side metrics every stage exports, created once per registry. */
export interface StageMetrics {
  processed: Counter<'stage' | 'topic' | 'outcome'>;
  retries: Counter<'stage'>;
  deadLettersLost: Counter<'stage'>;
  processing: Histogram<'stage'>;
  lag: Gauge<'stage' | 'topic' | 'partition'>;
}

const cache = new WeakMap<Registry, StageMetrics>();

export function stageMetrics(registry: Registry): StageMetrics {
  let m = cache.get(registry);
  if (m) return m;
  m = {
    processed: new Counter({
      name: 'threadcast_records_processed_total',
      help: 'Records a stage consumed, by outcome (ok, dead_lettered).',
      labelNames: ['stage', 'topic', 'outcome'],
      registers: [registry],
    }),
    retries: new Counter({
      name: 'threadcast_record_retries_total',
      help: 'Retries after retriable errors (handler or produce).',
      labelNames: ['stage'],
      registers: [registry],
    }),
    deadLettersLost: new Counter({
      name: 'threadcast_dead_letters_lost_total',
      help: 'Records a stage could neither process nor dead-letter: the broker refused their dead-letter copy for good. An operator must act (the record is still at its source position, see the ERROR log).',
      labelNames: ['stage'],
      registers: [registry],
    }),
    processing: new Histogram({
      name: 'threadcast_stage_processing_seconds',
      help: 'Time the stage took to handle one record (its handler, retries included), per record.',
      labelNames: ['stage'],
      buckets: [0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1, 2.5],
      registers: [registry],
    }),
    lag: new Gauge({
      name: 'threadcast_consumer_lag',
      help: 'Records behind the high watermark, per partition, after the last batch.',
      labelNames: ['stage', 'topic', 'partition'],
      registers: [registry],
    }),
  };
  cache.set(registry, m);
  return m;
}
