import { openPartitionEnv } from './partition-env';
import { partitionState, restoreView, type PartitionState, type RestoreView } from './partition-state';

/**
 * One partition's store on its own, without a changelog reader: for unit tests of a store's
 * logic (the handler's writes, the restore function) on a real LMDB directory.
 */
export function openLocalPartition(
  path: string,
  partition: number,
  changelogTopic: string,
): { state: PartitionState; restoreView: RestoreView; close(): Promise<void> } {
  const env = openPartitionEnv(path);
  return {
    state: partitionState(env, partition, changelogTopic, () => undefined),
    restoreView: restoreView(env, partition),
    close: () => env.close(),
  };
}
