import { join } from 'node:path';
import { createPartitionReader, type InRecord, type Kafka, type PartitionReader } from '@threadcast/kafka';
import type { Logger } from '@threadcast/runtime';
import type { Registry } from 'prom-client';
import { openPartitionEnv, type PartitionEnv } from './partition-env';
import {
  partitionState,
  rawRestore,
  restoreView,
  type PartitionState,
  type RestoreFn,
} from './partition-state';
import { storeMetrics } from './store-metrics';

/** Changelog records applied per restore transaction (with their checkpoint). */
const RESTORE_CHUNK_RECORDS = 10_000;
/**
 * A restore's fetches: small enough that the records of one die young (a 10 MB fetch of small
 * records is a few hundred MB of objects, promoted to the old heap: ~1 GB of RSS after a
 * restore of 2M records), large enough that a restore is not slowed by round trips.
 */
export const RESTORE_FETCH = { maxBytesPerPartition: 256 * 1024, maxBytes: 1024 * 1024 };

export interface StateStoreOptions {
  kafka: Kafka;
  logger: Logger;
  registry: Registry;
  /** STATE_DIR: partitions live in `<stateDir>/<service>/<name>/<partition>`. */
  stateDir: string;
  service: string;
  name: string;
  /** Compacted, with the partition count of the stage's input: partition p holds partition p's state. */
  changelogTopic: string;
  /** The changelog reader's consumer group: unique to the process, deleted on close. */
  readerGroupId: string;
  restore?: RestoreFn;
}

/** How one partition's last restore went. */
export interface RestoreReport {
  partition: number;
  kind: 'cold' | 'warm';
  from: number;
  to: number;
  records: number;
  ms: number;
}

/**
 * A partitioned, disk-backed key-value store with a changelog topic (the Kafka Streams model):
 * this pod holds only the partitions assigned to it, restores each from its changelog when it
 * gets it (from its checkpoint when it has local data, else from the beginning), keeps the files
 * when it hands one over (a later assignment restores only what changed), and writes each held
 * partition's checkpoint once what it produced is acknowledged.
 */
export interface StateStore {
  readonly name: string;
  /**
   * Makes `partitions` the held set: closes the others (checkpointed, files kept), opens and
   * restores the new ones. Resolves once every one of them is restored.
   */
  assign(partitions: readonly number[]): Promise<void>;
  /** A held partition; throws for one this pod does not hold. */
  partition(p: number): PartitionState;
  holds(p: number): boolean;
  held(): number[];
  /** An assignment is being applied: from the `assign` call until it resolves or fails. */
  isRestoring(): boolean;
  /**
   * Every partition of the latest assignment is open and restored (readiness `stores`). False
   * before the first `assign`, from every `assign` call until it has finished, and after one failed.
   */
  isReady(): boolean;
  /**
   * Writes the checkpoint of every held partition written since its last one: the changelog's
   * end offset now. Call it when every changelog record produced so far is acknowledged (the
   * stage's offset commit), so that all of the changelog below it is in the local data.
   */
  checkpoint(): Promise<void>;
  /** The last restore of each partition restored by this process. */
  restores(): RestoreReport[];
  /** Checkpoints and closes every partition, then the reader. */
  close(): Promise<void>;
}

interface Held {
  env: PartitionEnv;
  state: PartitionState;
  /** Written since the last checkpoint. */
  dirty: boolean;
}

interface Restoring {
  env: PartitionEnv;
  target: number;
  pending: InRecord[];
  records: number;
  done(): void;
}

export function openStateStore(opts: StateStoreOptions): StateStore {
  const { logger, name, changelogTopic } = opts;
  const apply = opts.restore ?? rawRestore;
  const metrics = storeMetrics(opts.registry);
  const dir = join(opts.stateDir, opts.service, name);
  const held = new Map<number, Held>();
  const restoring = new Map<number, Restoring>();
  const reports = new Map<number, RestoreReport>();
  let reader: PartitionReader | undefined;
  let opening: Promise<PartitionReader> | undefined;
  let chain: Promise<void> = Promise.resolve();
  /** The latest assignment asked for, and how many `assign` calls have not finished. */
  let wanted: readonly number[] | undefined;
  let assigning = 0;

  /**
   * Applies the records read so far in transactions of at most RESTORE_CHUNK_RECORDS, each with
   * the checkpoint it reaches (the offset after its last record): a restore killed midway goes on
   * from the last chunk written, and no transaction holds more than a chunk's dirty pages.
   */
  const applyPending = (partition: number, r: Restoring) => {
    if (r.pending.length === 0) return;
    const view = restoreView(r.env, partition);
    const records = r.pending;
    r.pending = [];
    for (let start = 0; start < records.length; start += RESTORE_CHUNK_RECORDS) {
      const chunk = records.slice(start, start + RESTORE_CHUNK_RECORDS);
      const next = Number(chunk[chunk.length - 1]!.offset) + 1;
      r.env.batch(() => {
        for (const rec of chunk) {
          if (rec.key === null) continue;
          apply(view, rec.key.toString('utf8'), rec.value);
        }
        r.env.setCheckpoint(next);
      });
    }
    r.records += records.length;
    metrics.restoredRecords.inc({ store: name }, records.length);
  };

  const openReader = () =>
    (opening ??= createPartitionReader({
      kafka: opts.kafka,
      topic: changelogTopic,
      groupId: opts.readerGroupId,
      logger,
      maxWaitTimeInMs: 100,
      ...RESTORE_FETCH,
      onRecord(record) {
        restoring.get(record.partition)?.pending.push(record);
      },
      onProgress(partition, next) {
        const r = restoring.get(partition);
        if (!r) return;
        applyPending(partition, r);
        if (next < r.target) return;
        reader?.stop(partition);
        restoring.delete(partition);
        r.done();
      },
    }).then(
      (r) => (reader = r),
      (e: unknown) => {
        opening = undefined;
        throw e;
      },
    ));

  const release = async (p: number, h: Held) => {
    held.delete(p);
    metrics.partitions.set({ store: name, partition: String(p) }, 0);
    try {
      if (h.dirty) await checkpointOne(p, h);
    } finally {
      await h.env.close();
    }
  };

  const checkpointOne = async (p: number, h: Held, high?: number) => {
    const end = high ?? (await (await openReader()).bounds(0))[p]?.high;
    if (end === undefined) return;
    h.dirty = false;
    h.env.setCheckpoint(end);
  };

  const restore = async (p: number): Promise<void> => {
    const started = performance.now();
    const path = join(dir, String(p));
    let env = openPartitionEnv(path);
    try {
      const r = await openReader();
      const bounds = (await r.bounds(0))[p];
      if (bounds === undefined) throw new Error(`${changelogTopic} has no partition ${p}`);
      const checkpoint = env.checkpoint();
      const warm =
        checkpoint !== undefined && !env.isEmpty() && checkpoint >= bounds.low && checkpoint <= bounds.high;
      // No checkpoint, no data, or one the changelog does not have (a recreated topic): start over.
      if (!warm && (checkpoint !== undefined || !env.isEmpty())) env.clear();
      const from = warm ? checkpoint : bounds.low;
      let records = 0;
      if (from < bounds.high) {
        metrics.restoring.inc({ store: name });
        try {
          const state: Restoring = {
            env,
            target: bounds.high,
            pending: [],
            records: 0,
            done: () => undefined,
          };
          const finished = new Promise<void>((resolve) => (state.done = resolve));
          restoring.set(p, state);
          r.readFrom(p, from);
          await finished;
          records = state.records;
        } finally {
          restoring.delete(p);
          metrics.restoring.dec({ store: name });
        }
      }
      env.setCheckpoint(bounds.high);
      if (records > 0) {
        // Writing the records read through the map almost every page of the store: resident
        // (RSS) until unmapped. Opened again, the map holds only what the stage reads.
        await env.close();
        env = openPartitionEnv(path);
      }
      const ms = performance.now() - started;
      const kind = warm ? 'warm' : 'cold';
      reports.set(p, { partition: p, kind, from, to: bounds.high, records, ms });
      metrics.restoreSeconds.observe({ store: name, kind }, ms / 1000);
      const h: Held = { env, state: undefined as unknown as PartitionState, dirty: false };
      h.state = partitionState(env, p, changelogTopic, () => (h.dirty = true));
      held.set(p, h);
      metrics.partitions.set({ store: name, partition: String(p) }, 1);
      logger.info(
        { store: name, partition: p, kind, from, to: bounds.high, records, ms: Math.round(ms) },
        'store partition restored',
      );
    } catch (e) {
      await env.close();
      throw e;
    }
  };

  const assign = async (partitions: readonly number[]) => {
    const wanted = new Set(partitions);
    for (const [p, h] of [...held]) if (!wanted.has(p)) await release(p, h);
    // Restored side by side: one reader fetches them all.
    const results = await Promise.allSettled(partitions.filter((p) => !held.has(p)).map(restore));
    const failed = results.find((r) => r.status === 'rejected');
    if (failed) throw failed.reason;
  };

  return {
    name,
    // One assignment at a time, in order: a rebalance during a restore waits for it.
    assign(partitions) {
      wanted = [...partitions];
      assigning++;
      chain = chain
        .catch(() => undefined)
        .then(() => assign(partitions))
        .finally(() => assigning--);
      return chain;
    },
    partition(p) {
      const h = held.get(p);
      if (!h) throw new Error(`store ${name}: partition ${p} is not held by this pod`);
      return h.state;
    },
    holds: (p) => held.has(p),
    held: () => [...held.keys()].sort((a, b) => a - b),
    isRestoring: () => assigning > 0,
    isReady: () => assigning === 0 && wanted !== undefined && wanted.every((p) => held.has(p)),
    async checkpoint() {
      const dirty = [...held].filter(([, h]) => h.dirty);
      if (dirty.length === 0) return;
      const bounds = await (await openReader()).bounds(0);
      for (const [p, h] of dirty) {
        const end = bounds[p]?.high;
        if (end !== undefined && held.get(p) === h) await checkpointOne(p, h, end);
      }
    },
    restores: () => [...reports.values()].sort((a, b) => a.partition - b.partition),
    close: () =>
      (chain = chain
        .catch(() => undefined)
        .then(async () => {
          for (const [p, h] of [...held]) await release(p, h);
          await reader?.close();
          reader = undefined;
          opening = undefined;
        })),
  };
}
