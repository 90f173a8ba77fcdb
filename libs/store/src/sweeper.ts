import type { OutRecord } from '@threadcast/kafka';
import type { Logger } from '@threadcast/runtime';
import { Counter, type Registry } from 'prom-client';
import {
  expiredRangeEnd,
  parseTimeIndexKey,
  TIME_INDEX_PREFIX,
  timeIndexKey,
  type DropItem,
} from './retention';
import type { StateStore } from './state-store';

export interface SweeperOptions {
  store: Pick<StateStore, 'name' | 'held' | 'holds' | 'partition'>;
  /** The retention window; 0 keeps forever (the sweeper does nothing). */
  windowMs: number;
  drop: DropItem;
  /** Produces the tombstones (the stage's producer: sends are acknowledged in call order). */
  send(records: OutRecord[]): Promise<void>;
  logger: Logger;
  registry: Registry;
  /** Wall clock (tests pass a fake one). */
  now?: () => number;
  /** Most keys one tick deletes, index entries included: bounds the time a tick holds the event loop. */
  maxDeletesPerTick?: number;
  intervalMs?: number;
}

export interface Sweeper {
  /**
   * One tick: sends the tombstones of a failed tick again if any (and sweeps nothing else until
   * they are written), else drops expired items of the held partitions, oldest first, up to the
   * budget, and sends their tombstones. Resolves with the items dropped entirely.
   */
  sweep(): Promise<number>;
  /** Ticks every `intervalMs`, one at a time. */
  start(): void;
  /** Stops ticking and waits for the tick under way. */
  stop(): Promise<void>;
}

const byRegistry = new WeakMap<Registry, Counter<'store'>>();
function sweptCounter(registry: Registry): Counter<'store'> {
  let c = byRegistry.get(registry);
  if (!c) {
    c = new Counter({
      name: 'threadcast_store_swept_total',
      help: 'Items (comments) dropped from a state store because they were created more than STATE_RETENTION_DAYS ago.',
      labelNames: ['store'],
      registers: [registry],
    });
    byRegistry.set(registry, c);
  }
  return c;
}

/**
 * The retention sweep of one store. Each tick deletes the expired items' keys locally and their
 * tombstones go to the changelog (a restore does not bring them back; compaction reclaims them),
 * synchronously within one turn of the event loop, so no record handled by the stage comes
 * between an item's local delete and its tombstones being handed to the producer.
 */
export function createSweeper(opts: SweeperOptions): Sweeper {
  const { store, windowMs, drop, logger } = opts;
  const now = opts.now ?? Date.now;
  const budget = Math.max(1, opts.maxDeletesPerTick ?? 1000);
  const swept = sweptCounter(opts.registry);
  /** Tombstones whose send failed: sent again before anything else is dropped. */
  let unsent: OutRecord[] = [];
  let timer: NodeJS.Timeout | undefined;
  let ticking: Promise<unknown> | undefined;

  const collect = (): { records: OutRecord[]; items: number } => {
    const records: OutRecord[] = [];
    let items = 0;
    const end = expiredRangeEnd(now(), windowMs);
    for (const p of store.held()) {
      if (records.length >= budget) break;
      if (!store.holds(p)) continue;
      const state = store.partition(p);
      // Read first, then deleted: the range is not changed under its own iterator.
      const keys: string[] = [];
      for (const key of state.keys(TIME_INDEX_PREFIX)) {
        if (key >= end || keys.length >= budget - records.length) break;
        keys.push(key);
      }
      for (const key of keys) {
        const left = budget - records.length;
        if (left <= 0) break;
        const entry = parseTimeIndexKey(key);
        if (!entry) {
          records.push(state.remove(key));
          continue;
        }
        // One key kept for the index entry, so an item with keys left is never unindexed.
        const dropped = drop(state, entry.id, Math.max(0, left - 1));
        records.push(...dropped.records);
        if (!dropped.done) break;
        records.push(state.remove(timeIndexKey(entry.createdAtMs, entry.id)));
        items++;
      }
    }
    return { records, items };
  };

  const sweep = async (): Promise<number> => {
    if (windowMs <= 0) return 0;
    if (unsent.length > 0) {
      const retry = unsent;
      await opts.send(retry);
      unsent = [];
    }
    const { records, items } = collect();
    if (records.length === 0) return 0;
    swept.inc({ store: store.name }, items);
    try {
      await opts.send(records);
    } catch (e) {
      unsent = records;
      throw e;
    }
    return items;
  };

  const tick = () => {
    if (ticking) return;
    ticking = sweep()
      .then((items) => {
        if (items > 0) logger.debug({ store: store.name, items }, 'store sweep dropped expired items');
      })
      .catch((e: unknown) =>
        logger.warn({ err: e, store: store.name }, 'store sweep: tombstones not written; trying again'),
      )
      .finally(() => (ticking = undefined));
  };

  return {
    sweep,
    start() {
      if (timer || windowMs <= 0) return;
      timer = setInterval(tick, opts.intervalMs ?? 1000);
      timer.unref();
    },
    async stop() {
      if (timer) clearInterval(timer);
      timer = undefined;
      await ticking;
    },
  };
}
