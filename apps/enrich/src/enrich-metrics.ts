import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

/** enrich's own metrics; the stage runner already exports processed, retries, processing and lag. */
export interface EnrichMetrics {
  spamScore: Histogram;
  tableRecordsSkipped: Counter<'table'>;
}

/**
 * `sizes`: entries of each global table (users, threads), read at each scrape. The comment index
 * is partitioned: libs/store's metrics tell which partitions a pod holds.
 */
export function enrichMetrics(registry: Registry, sizes: Record<string, () => number>): EnrichMetrics {
  new Gauge({
    name: 'threadcast_enrich_table_entries',
    help: 'Entries in each global table on this pod’s disk (users, threads).',
    labelNames: ['table'],
    registers: [registry],
    collect() {
      for (const [table, size] of Object.entries(sizes)) this.set({ table }, size());
    },
  });
  return {
    spamScore: new Histogram({
      name: 'threadcast_enrich_spam_score',
      help: 'Spam score of each new or edited comment (those at or above ENRICH_SPAM_THRESHOLD are held).',
      buckets: [0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1],
      registers: [registry],
    }),
    tableRecordsSkipped: new Counter({
      name: 'threadcast_enrich_table_records_skipped_total',
      help: 'Table records skipped because they break their contract.',
      labelNames: ['table'],
      registers: [registry],
    }),
  };
}
