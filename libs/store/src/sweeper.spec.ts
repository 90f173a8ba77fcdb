import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { OutRecord } from '@threadcast/kafka';
import { createLogger, createMetricsRegistry } from '@threadcast/runtime';
import { openLocalPartition } from './local-partition';
import type { PartitionState } from './partition-state';
import { indexCreated, isExpired, parseTimeIndexKey, timeIndexKey, type DropItem } from './retention';
import { createSweeper } from './sweeper';

const DAY = 86_400_000;
const T0 = Date.parse('2024-05-01T00:00:00Z');
const logger = createLogger({ service: 'test', level: 'silent' });

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of closers.splice(0)) await c();
});

/** A store of two partitions on real LMDB directories, as the sweeper sees it. */
function twoPartitions() {
  const parts = new Map<number, PartitionState>();
  for (const p of [0, 1]) {
    const dir = mkdtempSync(join(tmpdir(), 'sweeper-'));
    const opened = openLocalPartition(dir, p, 'it.changelog');
    parts.set(p, opened.state);
    closers.push(async () => {
      await opened.close();
      rmSync(dir, { recursive: true, force: true });
    });
  }
  return {
    name: 'items',
    held: () => [...parts.keys()],
    holds: (p: number) => parts.has(p),
    partition: (p: number) => parts.get(p)!,
  };
}

/** An item: `i/<id>` and `n` sub-keys `s/<id>/<k>`, indexed by its creation. */
function create(state: PartitionState, id: string, createdAtMs: number, n = 0) {
  state.put(`i/${id}`, Buffer.from('x'));
  for (let k = 0; k < n; k++) state.put(`s/${id}/${k}`, Buffer.from('y'));
  indexCreated(state, id, createdAtMs);
}
const dropItem: DropItem = (state, id, budget) => {
  const records: OutRecord[] = [];
  for (const key of [...state.keys(`s/${id}/`)].slice(0, budget)) records.push(state.remove(key));
  if (records.length >= budget) return { records, done: false };
  if (state.get(`i/${id}`) !== undefined) records.push(state.remove(`i/${id}`));
  return { records, done: true };
};

function setup(windowMs: number, maxDeletesPerTick?: number) {
  const store = twoPartitions();
  let now = T0;
  const sent: OutRecord[][] = [];
  let failNext = false;
  const registry = createMetricsRegistry('test');
  const sweeper = createSweeper({
    store,
    windowMs,
    drop: dropItem,
    send: (records) => {
      if (failNext) {
        failNext = false;
        return Promise.reject(new Error('broker away'));
      }
      sent.push(records);
      return Promise.resolve();
    },
    logger,
    registry,
    now: () => now,
    maxDeletesPerTick,
  });
  const swept = async () => (await registry.getSingleMetric('threadcast_store_swept_total')!.get()).values;
  return {
    store,
    sweeper,
    sent,
    swept,
    advance: (ms: number) => (now += ms),
    failNextSend: () => (failNext = true),
  };
}

const allKeys = (state: PartitionState) => [...state.keys('')];

describe('retention keys', () => {
  it('sorts the time index by creation time and reads it back', () => {
    const a = timeIndexKey(999, 'z');
    const b = timeIndexKey(T0, 'a');
    expect(a < b).toBe(true);
    expect(parseTimeIndexKey(b)).toEqual({ createdAtMs: T0, id: 'a' });
  });

  it('expires at the window, never with window 0', () => {
    expect(isExpired(T0, T0 + 30 * DAY - 1, 30 * DAY)).toBe(false);
    expect(isExpired(T0, T0 + 30 * DAY, 30 * DAY)).toBe(true);
    expect(isExpired(T0, T0 + 3000 * DAY, 0)).toBe(false);
  });
});

describe('retention sweep', () => {
  it('drops the items created more than the window ago on every held partition, tombstones included', async () => {
    const { store, sweeper, sent, swept, advance } = setup(30 * DAY);
    create(store.partition(0), 'old0', T0 - 31 * DAY, 2);
    create(store.partition(1), 'old1', T0 - 30 * DAY);
    create(store.partition(1), 'young', T0 - 29 * DAY, 1);

    expect(await sweeper.sweep()).toBe(2);
    expect(allKeys(store.partition(0))).toEqual([]);
    expect(allKeys(store.partition(1))).toEqual([
      'i/young',
      's/young/0',
      timeIndexKey(T0 - 29 * DAY, 'young'),
    ]);
    const tombstones = sent.flat();
    expect(tombstones.every((r) => r.value === null && r.topic === 'it.changelog')).toBe(true);
    expect(tombstones.map((r) => `${r.partition}:${String(r.key)}`).sort()).toEqual(
      [
        '0:i/old0',
        '0:s/old0/0',
        '0:s/old0/1',
        `0:${timeIndexKey(T0 - 31 * DAY, 'old0')}`,
        '1:i/old1',
        `1:${timeIndexKey(T0 - 30 * DAY, 'old1')}`,
      ].sort(),
    );
    expect(await swept()).toEqual([expect.objectContaining({ labels: { store: 'items' }, value: 2 })]);

    // Nothing more until the clock passes the next one's window.
    expect(await sweeper.sweep()).toBe(0);
    advance(DAY);
    expect(await sweeper.sweep()).toBe(1);
    expect(allKeys(store.partition(1))).toEqual([]);
  });

  it('deletes at most the budget per tick, an item partly dropped keeping its index entry', async () => {
    const { store, sweeper, sent } = setup(DAY, 5);
    const p = store.partition(0);
    for (let i = 0; i < 4; i++) create(p, `item${i}`, T0 - 2 * DAY + i, 3);
    const ticks: number[] = [];
    for (let t = 0; t < 20 && allKeys(p).length > 0; t++) {
      await sweeper.sweep();
      ticks.push(sent.at(-1)?.length ?? 0);
      expect(sent.at(-1)!.length).toBeLessThanOrEqual(5);
      // Every item with keys left is still in the index: the next tick finishes it.
      for (let i = 0; i < 4; i++) {
        if (p.get(`i/item${i}`) !== undefined)
          expect(p.get(timeIndexKey(T0 - 2 * DAY + i, `item${i}`))).toBeDefined();
      }
    }
    expect(allKeys(p)).toEqual([]);
    // 4 items of 5 keys (item, 3 sub-keys, index entry): 20 deletes, 5 a tick.
    expect(ticks).toEqual([5, 5, 5, 5]);
    expect(sent.flat()).toHaveLength(20);
  });

  it('keeps everything with window 0', async () => {
    const { store, sweeper, sent, advance } = setup(0);
    create(store.partition(0), 'ancient', 0, 1);
    advance(10_000 * DAY);
    expect(await sweeper.sweep()).toBe(0);
    expect(allKeys(store.partition(0))).toHaveLength(3);
    expect(sent).toEqual([]);
  });

  it('sends the tombstones of a failed tick again before dropping anything else', async () => {
    const { store, sweeper, sent, failNextSend, advance } = setup(DAY);
    create(store.partition(0), 'a', T0 - 2 * DAY);
    create(store.partition(0), 'b', T0 - DAY / 2);
    failNextSend();
    await expect(sweeper.sweep()).rejects.toThrow('broker away');
    // Gone here already; its tombstones are owed to the changelog.
    expect(store.partition(0).get('i/a')).toBeUndefined();
    advance(DAY);
    expect(await sweeper.sweep()).toBe(1);
    expect(sent.map((s) => s.map((r) => String(r.key)))).toEqual([
      ['i/a', timeIndexKey(T0 - 2 * DAY, 'a')],
      ['i/b', timeIndexKey(T0 - DAY / 2, 'b')],
    ]);
  });
});
