import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { createPartitionReader, type InRecord, type Kafka, type PartitionReader } from '@threadcast/kafka';
import { RESTORE_FETCH } from './state-store';
import type { Logger } from '@threadcast/runtime';
import { open, type Database, type RootDatabase } from 'lmdb';
import type { Registry } from 'prom-client';
import { entryCount } from './partition-env';
import { storeMetrics } from './store-metrics';

export interface GlobalTableOptions {
  kafka: Kafka;
  logger: Logger;
  registry: Registry;
  /** STATE_DIR: the table lives in `<stateDir>/<service>/<name>`. */
  stateDir: string;
  service: string;
  name: string;
  /** The compacted topic the table mirrors, every partition of it. */
  topic: string;
  /** The reader's consumer group: unique to the process, deleted on close. */
  readerGroupId: string;
  /** Why a record breaks the table's contract (it is then skipped: the key keeps its value), or undefined. */
  check?(key: string, value: Buffer): string | undefined;
  onSkipped?(record: InRecord, reason: string): void;
}

/** How the last restore went: records read from the checkpoints (warm) or the beginning (cold). */
export interface GlobalRestoreReport {
  kind: 'cold' | 'warm';
  records: number;
  ms: number;
}

/**
 * A whole compacted topic (users, threads: every pod needs all of it) mirrored on local disk, in
 * one LMDB environment, with a checkpoint per topic partition written in the same transaction as
 * the records it covers. `restore` reads from the checkpoints (a restart reads only what changed
 * since) to where the topic ends now, or from the beginning without local data; the table then
 * keeps following the topic. The JS heap holds none of it.
 */
export interface GlobalTable {
  readonly name: string;
  /** Resolves once caught up with the topic's end as it was when called; safe to call again after a failure. */
  restore(): Promise<void>;
  get(key: string): Buffer | undefined;
  /** Entries held (LMDB's own count: no scan). */
  count(): number;
  isRestoring(): boolean;
  lastRestore(): GlobalRestoreReport | undefined;
  close(): Promise<void>;
}

interface TableEnv {
  root: RootDatabase;
  data: Database<Buffer, string>;
  /** `p/<partition>` -> the next offset to read: everything before it is in `data`. */
  meta: Database<number, string>;
}

function openTableEnv(path: string): TableEnv {
  const openIt = (): TableEnv => {
    mkdirSync(path, { recursive: true });
    const root = open({ path, noSync: true, maxDbs: 2 });
    return {
      root,
      data: root.openDB<Buffer, string>({ name: 'data', encoding: 'binary' }),
      meta: root.openDB<number, string>({ name: 'meta' }),
    };
  };
  try {
    return openIt();
  } catch {
    // Unreadable (a machine crash under noSync, a format change): the topic has it all.
    rmSync(path, { recursive: true, force: true });
    return openIt();
  }
}

const cpKey = (p: number) => `p/${p}`;

export function openGlobalTable(opts: GlobalTableOptions): GlobalTable {
  const { logger, name, topic } = opts;
  const metrics = storeMetrics(opts.registry);
  const path = join(opts.stateDir, opts.service, name);
  let env: TableEnv | undefined;
  let reader: PartitionReader | undefined;
  let restoring: Promise<void> | undefined;
  let report: GlobalRestoreReport | undefined;
  let isRestoring = false;
  let restoredRecords = 0;
  /** Partitions still short of their restore target, and that target. */
  const targets = new Map<number, number>();
  const pending = new Map<number, InRecord[]>();
  /** While the environment is reopened: partitions whose records wait, and the offset after them. */
  let deferred: Map<number, number> | undefined;
  let caughtUp: () => void = () => undefined;

  const applyBatch = (partition: number, next: number) => {
    const e = env;
    if (deferred || !e) {
      deferred?.set(partition, next);
      return;
    }
    const records = pending.get(partition) ?? [];
    pending.delete(partition);
    e.root.transactionSync(() => {
      for (const r of records) {
        const reason =
          r.key === null || r.key.length === 0 ? 'missing_key: table records need a key' : undefined;
        const key = r.key?.toString('utf8') ?? '';
        const skipped = reason ?? (r.value === null ? undefined : opts.check?.(key, r.value));
        if (skipped !== undefined) {
          opts.onSkipped?.(r, skipped);
          continue;
        }
        if (r.value === null) e.data.removeSync(key);
        else e.data.putSync(key, r.value);
      }
      e.meta.putSync(cpKey(partition), next);
    });
    if (isRestoring) {
      restoredRecords += records.length;
      metrics.restoredRecords.inc({ store: name }, records.length);
    }
  };

  const doRestore = async () => {
    const started = performance.now();
    const e = (env ??= openTableEnv(path));
    const r = (reader ??= await createPartitionReader({
      kafka: opts.kafka,
      topic,
      groupId: opts.readerGroupId,
      logger,
      maxWaitTimeInMs: 100,
      // Small fetches, as for partition stores: each batch is one transaction with its
      // checkpoint, and its records die young instead of filling the old heap.
      ...RESTORE_FETCH,
      onRecord: (rec) => {
        const list = pending.get(rec.partition);
        if (list) list.push(rec);
        else pending.set(rec.partition, [rec]);
      },
      onProgress: (partition, next) => {
        applyBatch(partition, next);
        const target = targets.get(partition);
        if (target !== undefined && next >= target) {
          targets.delete(partition);
          if (targets.size === 0) caughtUp();
        }
      },
    }));
    const bounds = await r.bounds(0);
    const checkpoints = bounds.map((_, p) => e.meta.get(cpKey(p)));
    const hasData = entryCount(e.data) > 0;
    // Warm only when every partition's checkpoint is one the topic has (not a recreated topic).
    const warm =
      hasData &&
      bounds.every((b, p) => {
        const cp = checkpoints[p];
        return cp !== undefined && cp >= b.low && cp <= b.high;
      });
    if (!warm && (hasData || checkpoints.some((c) => c !== undefined))) {
      e.root.transactionSync(() => {
        e.data.clearSync();
        e.meta.clearSync();
      });
    }
    isRestoring = true;
    restoredRecords = 0;
    metrics.restoring.inc({ store: name });
    try {
      const done = new Promise<void>((resolve) => (caughtUp = resolve));
      targets.clear();
      bounds.forEach((b, p) => {
        const from = warm ? checkpoints[p]! : b.low;
        if (from < b.high) targets.set(p, b.high);
        else e.meta.putSync(cpKey(p), from);
        // Followed from here on, whether or not there is anything to restore.
        r.readFrom(p, from);
      });
      if (targets.size > 0) {
        await done;
        // Writing the records read through the map almost every page of the table: resident
        // (RSS) until unmapped. Opened again, the map holds only what the stage reads. Records
        // that arrive meanwhile wait in `pending`.
        deferred = new Map();
        try {
          await e.root.close();
        } finally {
          env = openTableEnv(path);
          const waiting = deferred;
          deferred = undefined;
          for (const [partition, next] of waiting) applyBatch(partition, next);
        }
      }
    } finally {
      isRestoring = false;
      metrics.restoring.dec({ store: name });
    }
    const ms = performance.now() - started;
    const kind = warm ? 'warm' : 'cold';
    report = { kind, records: restoredRecords, ms };
    metrics.restoreSeconds.observe({ store: name, kind }, ms / 1000);
    logger.info(
      { store: name, kind, records: restoredRecords, entries: entryCount(env.data), ms: Math.round(ms) },
      'global table restored',
    );
  };

  return {
    name,
    restore: () =>
      (restoring ??= doRestore().catch((err: unknown) => {
        restoring = undefined;
        throw err;
      })),
    get: (key) => env?.data.get(key),
    count: () => (env ? entryCount(env.data) : 0),
    isRestoring: () => isRestoring,
    lastRestore: () => report,
    async close() {
      await reader?.close();
      reader = undefined;
      const e = env;
      env = undefined;
      restoring = undefined;
      await e?.root.close();
    },
  };
}
