import type { OutRecord } from '@threadcast/kafka';
import type { PartitionEnv } from './partition-env';

/**
 * One partition of a store, as the stage's handler sees it. `put` and `remove` write the local
 * store at once and return the changelog record to produce with the stage's other outputs (to
 * the changelog partition of the same number, bare: no headers). `local` holds what is derived
 * from the changelog's data and kept only here: the store's restore function rebuilds it.
 */
export interface PartitionState {
  readonly partition: number;
  get(key: string): Buffer | undefined;
  put(key: string, value: Buffer): OutRecord;
  /** Deletes the key here and returns its tombstone. */
  remove(key: string): OutRecord;
  /** Keys starting with `prefix`, in order (read lazily from disk). */
  keys(prefix: string): Iterable<string>;
  readonly local: LocalData;
}

/** Data kept in the partition's store and nowhere else (never in the changelog). */
export interface LocalData {
  get(key: string): Buffer | undefined;
  set(key: string, value: Buffer): void;
  delete(key: string): void;
}

/** What a restore function may do: change the local store, never produce. */
export interface RestoreView {
  readonly partition: number;
  get(key: string): Buffer | undefined;
  set(key: string, value: Buffer | null): void;
  keys(prefix: string): Iterable<string>;
  readonly local: LocalData;
}

/**
 * Applies one changelog record to the local store. The default writes it as it is; a store with
 * derived local data (route's tallies) updates that too. Called in changelog order, also for
 * records the local store already reflects (a restart restores from its last checkpoint), so it
 * must make a record that changes nothing change nothing.
 */
export type RestoreFn = (view: RestoreView, key: string, value: Buffer | null) => void;

export const rawRestore: RestoreFn = (view, key, value) => view.set(key, value);

export function restoreView(env: PartitionEnv, partition: number): RestoreView {
  const local = localData(env);
  return {
    partition,
    get: (key) => env.data.get(key),
    set(key, value) {
      if (value === null) env.data.removeSync(key);
      else env.data.putSync(key, value);
    },
    keys: (prefix) => prefixKeys(env, prefix),
    local,
  };
}

export function partitionState(
  env: PartitionEnv,
  partition: number,
  changelogTopic: string,
  onWrite: () => void,
): PartitionState {
  const record = (key: string, value: Buffer | null): OutRecord => {
    onWrite();
    return { topic: changelogTopic, partition, key, value, changelog: true };
  };
  return {
    partition,
    get: (key) => env.data.get(key),
    put(key, value) {
      env.data.putSync(key, value);
      return record(key, value);
    },
    remove(key) {
      env.data.removeSync(key);
      return record(key, null);
    },
    keys: (prefix) => prefixKeys(env, prefix),
    local: localData(env),
  };
}

function localData(env: PartitionEnv): LocalData {
  return {
    get: (key) => env.local.get(key),
    set: (key, value) => void env.local.putSync(key, value),
    delete: (key) => void env.local.removeSync(key),
  };
}

function prefixKeys(env: PartitionEnv, prefix: string): Iterable<string> {
  return env.data.getKeys({ start: prefix, end: `${prefix}\uffff` });
}
