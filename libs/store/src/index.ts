export { openStateStore } from './state-store';
export type { RestoreReport, StateStore, StateStoreOptions } from './state-store';
export { rawRestore } from './partition-state';
export type { LocalData, PartitionState, RestoreFn, RestoreView } from './partition-state';
export { storeMetrics } from './store-metrics';
export type { StoreMetrics } from './store-metrics';
export { openLocalPartition } from './local-partition';
export {
  expiredRangeEnd,
  indexCreated,
  isExpired,
  parseTimeIndexKey,
  retentionWindowMs,
  TIME_INDEX_PREFIX,
  timeIndexKey,
  unindex,
} from './retention';
export type { DropItem } from './retention';
export { createSweeper } from './sweeper';
export type { Sweeper, SweeperOptions } from './sweeper';
export { openGlobalTable } from './global-table';
export type { GlobalRestoreReport, GlobalTable, GlobalTableOptions } from './global-table';
