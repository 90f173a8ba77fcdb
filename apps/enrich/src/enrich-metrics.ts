import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { EnrichTables, TableName } from './tables';

/** enrich's own metrics; the stage runner already exports processed, retries, processing and lag. */
export interface EnrichMetrics {
  spamScore: Histogram;
  tableRecordsSkipped: Counter<'table'>;
}

export function enrichMetrics(registry: Registry, tables: EnrichTables): EnrichMetrics {
  new Gauge({
    name: 'threadcast_enrich_table_entries',
    help: 'Entries in each in-memory table (users, threads, comments index).',
    labelNames: ['table'],
    registers: [registry],
    collect() {
      for (const name of Object.keys(tables) as TableName[]) this.set({ table: name }, tables[name].size);
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
