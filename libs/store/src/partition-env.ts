import { mkdirSync, rmSync } from 'node:fs';
import { open, type Database, type RootDatabase } from 'lmdb';

/**
 * One partition's LMDB environment: `data` holds what the changelog holds (key -> value),
 * `local` what is derived from it and kept only here (rebuilt by the restore), `meta` the
 * checkpoint: the changelog offset up to which `data` reflects the changelog.
 *
 * Writes are synchronous transactions without fsync (`noSync`): a killed process loses nothing
 * (the pages are in the OS cache), a machine crash may; a store that does not open is wiped and
 * restored from the changelog.
 */
export interface PartitionEnv {
  readonly path: string;
  readonly data: Database<Buffer, string>;
  readonly local: Database<Buffer, string>;
  checkpoint(): number | undefined;
  setCheckpoint(offset: number): void;
  /** No changelog data here (a new node, or a wiped store). */
  isEmpty(): boolean;
  /** Drops everything, checkpoint included. */
  clear(): void;
  /** Several writes in one transaction. */
  batch(work: () => void): void;
  close(): Promise<void>;
}

const CHECKPOINT = 'checkpoint';

/** Entries in a database, from LMDB's statistics: no scan. */
export const entryCount = (db: Database<Buffer, string>): number =>
  (db.getStats() as { entryCount: number }).entryCount;

export function openPartitionEnv(path: string): PartitionEnv {
  try {
    return openEnv(path);
  } catch {
    // Unreadable (a machine crash under noSync, a format change): the changelog has it all.
    rmSync(path, { recursive: true, force: true });
    return openEnv(path);
  }
}

function openEnv(path: string): PartitionEnv {
  mkdirSync(path, { recursive: true });
  const root: RootDatabase = open({ path, noSync: true, maxDbs: 4 });
  const data = root.openDB<Buffer, string>({ name: 'data', encoding: 'binary' });
  const local = root.openDB<Buffer, string>({ name: 'local', encoding: 'binary' });
  const meta = root.openDB<number, string>({ name: 'meta' });
  return {
    path,
    data,
    local,
    checkpoint: () => meta.get(CHECKPOINT),
    setCheckpoint: (offset) => void meta.putSync(CHECKPOINT, offset),
    // LMDB's own count (mdb_stat): getKeysCount ignores `limit` and walks every key, which maps
    // the whole file into the process and made a warm start cost as much RSS as the data.
    isEmpty: () => entryCount(data) === 0,
    clear() {
      root.transactionSync(() => {
        data.clearSync();
        local.clearSync();
        meta.clearSync();
      });
    },
    batch: (work) => void root.transactionSync(work),
    close: () => root.close(),
  };
}
