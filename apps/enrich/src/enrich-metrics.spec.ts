import { Registry } from 'prom-client';
import { enrichMetrics } from './enrich-metrics';
import { createTables } from './tables';

describe('enrichMetrics', () => {
  it('exports the spam score histogram, skipped table records and table sizes', async () => {
    const registry = new Registry();
    const tables = createTables();
    tables.users.set('u1', { id: 'u1', name: 'Ada' });
    const m = enrichMetrics(registry, { users: () => tables.users.size, threads: () => tables.threads.size });
    m.spamScore.observe(0.45);
    m.tableRecordsSkipped.inc({ table: 'threads' });
    const text = await registry.metrics();
    expect(text).toContain('threadcast_enrich_spam_score_bucket{le="0.5"} 1');
    expect(text).toContain('threadcast_enrich_table_records_skipped_total{table="threads"} 1');
    expect(text).toContain('threadcast_enrich_table_entries{table="users"} 1');
    expect(text).toContain('threadcast_enrich_table_entries{table="threads"} 0');
  });
});
