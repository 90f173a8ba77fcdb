import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

export interface StoreMetrics {
  partitions: Gauge<'store' | 'partition'>;
  restoring: Gauge<'store'>;
  restoredRecords: Counter<'store'>;
  restoreSeconds: Histogram<'store' | 'kind'>;
}

/** One set per registry: every store of a process shares the metric names, told apart by label. */
const byRegistry = new WeakMap<Registry, StoreMetrics>();

export function storeMetrics(registry: Registry): StoreMetrics {
  let m = byRegistry.get(registry);
  if (m) return m;
  m = {
    partitions: new Gauge({
      name: 'threadcast_store_partitions',
      help: 'Partitions of each state store this pod holds (1) or held and handed over (0).',
      labelNames: ['store', 'partition'],
      registers: [registry],
    }),
    restoring: new Gauge({
      name: 'threadcast_store_restoring_partitions',
      help: 'Partitions being restored from their changelog; the stage handles none of their records meanwhile.',
      labelNames: ['store'],
      registers: [registry],
    }),
    restoredRecords: new Counter({
      name: 'threadcast_store_restored_records_total',
      help: 'Changelog records read to restore state store partitions.',
      labelNames: ['store'],
      registers: [registry],
    }),
    restoreSeconds: new Histogram({
      name: 'threadcast_store_restore_seconds',
      help: 'Time to restore one partition, by kind: cold (from the beginning) or warm (from its checkpoint).',
      labelNames: ['store', 'kind'],
      buckets: [0.01, 0.05, 0.25, 1, 5, 15, 60, 300],
      registers: [registry],
    }),
  };
  byRegistry.set(registry, m);
  return m;
}
