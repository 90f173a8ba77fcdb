export { openStateStore } from './state-store';
export type { RestoreReport, StateStore, StateStoreOptions } from './state-store';
export { rawRestore } from './partition-state';
export type { LocalData, PartitionState, RestoreFn, RestoreView } from './partition-state';
export { storeMetrics } from './store-metrics';
export type { StoreMetrics } from './store-metrics';
export { openLocalPartition } from './local-partition';
export { openGlobalTable } from './global-table';
export type { GlobalRestoreReport, GlobalTable, GlobalTableOptions } from './global-table';
