import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { createKeyedProducer, createTopicsAndWait, type OutRecord } from '@threadcast/kafka';
import { createMetricsRegistry } from '@threadcast/runtime';
import { openStateStore, type StateStore } from '../src/index';
import { testKafka, uid } from '@threadcast/test-support';

describe('state store on a real broker', () => {
  const { kafka, logger } = testKafka();
  const admin = kafka.admin();
  const producer = createKeyedProducer(kafka);
  const topic = uid('it.store-changelog');
  const dirs: string[] = [];
  const stores: StateStore[] = [];

  const open = (stateDir: string) => {
    const registry = createMetricsRegistry('it');
    const store = openStateStore({
      kafka,
      logger,
      registry,
      stateDir,
      service: 'it',
      name: 'kv',
      changelogTopic: topic,
      readerGroupId: uid('it-store-reader'),
    });
    stores.push(store);
    return { store, registry };
  };
  const newDir = () => {
    const d = mkdtempSync(join(tmpdir(), 'store-it-'));
    dirs.push(d);
    return d;
  };
  const held = async (registry: ReturnType<typeof createMetricsRegistry>) => {
    const m = await registry.getSingleMetric('threadcast_store_partitions')!.get();
    return m.values
      .filter((v) => v.value === 1)
      .map((v) => Number(v.labels.partition))
      .sort();
  };
  const record = (partition: number, key: string, value: string | null): OutRecord => ({
    topic,
    partition,
    key,
    value,
    changelog: true,
  });

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
    for (const s of stores) await s.close();
    await producer.disconnect();
    await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
    await admin.disconnect();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  it('restores cold from the changelog, then warm from its checkpoint reading only the delta', async () => {
    // History written by "another pod": 200 keys in partition 1, 50 in partition 2, some deleted.
    const history: OutRecord[] = [];
    for (let i = 0; i < 200; i++) history.push(record(1, `k${i}`, `v${i}`));
    for (let i = 0; i < 50; i++) history.push(record(2, `k${i}`, `w${i}`));
    history.push(record(1, 'k0', null), record(1, 'k1', 'again'));
    await producer.send(history);

    const dir = newDir();
    const first = open(dir);
    await first.store.assign([1, 2]);
    expect(await held(first.registry)).toEqual([1, 2]);
    expect(first.store.restores()).toEqual([
      expect.objectContaining({ partition: 1, kind: 'cold', from: 0, to: 202, records: 202 }),
      expect.objectContaining({ partition: 2, kind: 'cold', from: 0, to: 50, records: 50 }),
    ]);
    const p1 = first.store.partition(1);
    expect(p1.get('k0')).toBeUndefined();
    expect(p1.get('k1')?.toString()).toBe('again');
    expect(p1.get('k199')?.toString()).toBe('v199');
    expect(() => first.store.partition(0)).toThrow(/not held/);

    // This pod writes through the store; the records go to the changelog, then it checkpoints.
    await producer.send([p1.put('mine', Buffer.from('1')), p1.put('k2', Buffer.from('changed'))]);
    await first.store.checkpoint();
    await first.store.close();

    // Meanwhile another pod holds partition 1 and writes 5 records.
    await producer.send([1, 2, 3, 4, 5].map((i) => record(1, `later${i}`, `x${i}`)));

    const second = open(dir);
    await second.store.assign([1, 2]);
    expect(second.store.restores()).toEqual([
      // Only what changed since the checkpoint is read.
      expect.objectContaining({ partition: 1, kind: 'warm', from: 204, to: 209, records: 5 }),
      expect.objectContaining({ partition: 2, kind: 'warm', from: 50, to: 50, records: 0 }),
    ]);
    const again = second.store.partition(1);
    expect(again.get('mine')?.toString()).toBe('1');
    expect(again.get('k2')?.toString()).toBe('changed');
    expect(again.get('later5')?.toString()).toBe('x5');
    expect(again.get('k199')?.toString()).toBe('v199');

    // A revoked partition is closed and its metric says so; its files stay for a later assignment.
    await second.store.assign([2]);
    expect(await held(second.registry)).toEqual([2]);
    expect(second.store.holds(1)).toBe(false);
    await second.store.assign([1, 2]);
    expect(second.store.restores()[0]).toEqual(
      expect.objectContaining({ partition: 1, kind: 'warm', records: 0 }),
    );
    expect(second.store.partition(1).get('later5')?.toString()).toBe('x5');
  });

  it('starts over from the beginning when its checkpoint is not in the changelog (a recreated topic)', async () => {
    const dir = newDir();
    const { store } = open(dir);
    await store.assign([0]);
    await producer.send([store.partition(0).put('a', Buffer.from('1'))]);
    await store.checkpoint();
    await store.close();
    const env = open(dir);
    // Fake a checkpoint past the log's end, as after the changelog was deleted and recreated.
    await env.store.assign([0]);
    await producer.send([env.store.partition(0).put('b', Buffer.from('2'))]);
    await env.store.close();
    const { openPartitionEnvForTest } = await import('./partition-env-kit');
    openPartitionEnvForTest(join(dir, 'it', 'kv', '0'), 1_000_000);
    const third = open(dir);
    await third.store.assign([0]);
    expect(third.store.restores()[0]).toEqual(expect.objectContaining({ kind: 'cold', from: 0, records: 2 }));
    expect(third.store.partition(0).get('b')?.toString()).toBe('2');
  });

  it('is not ready before its first assignment, nor while the partitions of an assignment restore', async () => {
    const history: OutRecord[] = [];
    for (let i = 0; i < 2000; i++) history.push(record(0, `r${i}`, `v${i}`));
    await producer.send(history);
    const { store } = open(newDir());
    expect(store.isRestoring()).toBe(false);
    const readyBefore = store.isReady();

    // From the call (the stage's group join) on, before the reader has even started.
    const assigned = store.assign([0, 2]);
    expect(store.isRestoring()).toBe(true);
    expect(readyBefore).toBe(false);
    expect(store.isReady()).toBe(false);
    await assigned;
    expect(store.isRestoring()).toBe(false);
    expect(store.isReady()).toBe(true);
    expect(store.partition(0).get('r1999')?.toString()).toBe('v1999');

    // A rebalance: not ready again until the newly assigned partition is restored.
    const moved = store.assign([0, 1]);
    expect(store.isReady()).toBe(false);
    await moved;
    expect(store.isReady()).toBe(true);
    expect(store.held()).toEqual([0, 1]);
  });
});
