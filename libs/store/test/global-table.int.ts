import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { createKeyedProducer, createTopicsAndWait, type OutRecord } from '@threadcast/kafka';
import { createMetricsRegistry } from '@threadcast/runtime';
import { openGlobalTable, type GlobalTable } from '../src/index';
import { testKafka, uid } from '@threadcast/test-support';

describe('global table on a real broker', () => {
  const { kafka, logger } = testKafka();
  const admin = kafka.admin();
  const producer = createKeyedProducer(kafka);
  const topic = uid('it.global-table');
  const dirs: string[] = [];
  const tables: GlobalTable[] = [];
  const skipped: string[] = [];

  const open = (stateDir: string) => {
    const registry = createMetricsRegistry('it');
    const table = openGlobalTable({
      kafka,
      logger,
      registry,
      stateDir,
      service: 'it',
      name: 'users',
      topic,
      readerGroupId: uid('it-global-reader'),
      check: (key, value) => (value.toString().startsWith('bad') ? `bad_value: ${key}` : undefined),
      onSkipped: (_r, reason) => skipped.push(reason),
    });
    tables.push(table);
    return { table, registry };
  };
  const restoredRecords = async (registry: ReturnType<typeof createMetricsRegistry>) =>
    (await registry.getSingleMetric('threadcast_store_restored_records_total')!.get()).values[0]?.value ?? 0;
  const newDir = () => {
    const d = mkdtempSync(join(tmpdir(), 'global-table-it-'));
    dirs.push(d);
    return d;
  };
  const record = (partition: number, key: string, value: string | null): OutRecord => ({
    topic,
    partition,
    key,
    value,
  });
  const until = async (what: string, probe: () => boolean) => {
    const deadline = Date.now() + 30_000;
    while (!probe()) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  };

  beforeAll(async () => {
    await admin.connect();
    await producer.connect();
    await createTopicsAndWait(admin, {
      topics: [
        {
          topic,
          numPartitions: 3,
          replicationFactor: 1,
          configEntries: [{ name: 'cleanup.policy', value: 'compact' }],
        },
      ],
    });
  });
  afterAll(async () => {
    for (const t of tables) await t.close();
    await producer.disconnect();
    await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
    await admin.disconnect();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  it('restores every partition cold, follows the topic, then restarts warm reading only the delta', async () => {
    const history: OutRecord[] = [];
    for (let i = 0; i < 100; i++) history.push(record(i % 3, `u${i}`, `name${i}`));
    history.push(record(0, 'u0', null), record(1, 'u1', 'renamed'), record(2, 'u2', 'bad one'));
    await producer.send(history);

    const dir = newDir();
    const first = open(dir);
    await first.table.restore();
    expect(first.table.lastRestore()).toEqual(expect.objectContaining({ kind: 'cold', records: 103 }));
    expect(await restoredRecords(first.registry)).toBe(103);
    expect(first.table.get('u0')).toBeUndefined();
    expect(first.table.get('u1')?.toString()).toBe('renamed');
    // An invalid record is skipped: the key keeps its value.
    expect(first.table.get('u2')?.toString()).toBe('name2');
    expect(skipped).toEqual(['bad_value: u2']);
    expect(first.table.get('u99')?.toString()).toBe('name99');
    expect(first.table.count()).toBe(99);

    // Followed live after the restore.
    await producer.send([record(2, 'live', 'yes')]);
    await until('the live record', () => first.table.get('live')?.toString() === 'yes');
    await first.table.close();

    // Written while the pod is down: a restart reads only these.
    await producer.send([record(0, 'u3', 'later'), record(1, 'new', 'n'), record(1, 'u4', null)]);
    const second = open(dir);
    await second.table.restore();
    expect(second.table.lastRestore()).toEqual(expect.objectContaining({ kind: 'warm', records: 3 }));
    expect(await restoredRecords(second.registry)).toBe(3);
    expect(second.table.get('u3')?.toString()).toBe('later');
    expect(second.table.get('new')?.toString()).toBe('n');
    expect(second.table.get('u4')).toBeUndefined();
    expect(second.table.get('live')?.toString()).toBe('yes');
    expect(second.table.get('u99')?.toString()).toBe('name99');

    // A new node (no local state) restores the whole topic.
    const fresh = open(newDir());
    await fresh.table.restore();
    expect(fresh.table.lastRestore()).toEqual(expect.objectContaining({ kind: 'cold', records: 107 }));
    expect(fresh.table.count()).toBe(second.table.count());
  });
});
