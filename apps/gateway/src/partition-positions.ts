/**
 * How far this pod has read each `deliveries` partition: the offset after the newest record it
 * has handed to fan-out. Replays move the reader back but never this mark, so it is where a new
 * subscriber without a cursor starts: everything after it is still to come.
 */
export interface PartitionPositions {
  /** A record at `offset` was handed over. */
  advance(partition: number, offset: number): void;
  /** Reading (re)starts at `offset`: the mark restarts there, as nothing after it was seen. */
  restart(partition: number, offset: number): void;
  /** The mark; undefined before the partition was read. */
  live(partition: number): number | undefined;
}

export function createPartitionPositions(partitionCount: number): PartitionPositions {
  const next: (number | undefined)[] = new Array<number | undefined>(partitionCount).fill(undefined);
  return {
    advance(partition, offset) {
      const at = next[partition];
      if (at === undefined || offset >= at) next[partition] = offset + 1;
    },
    restart(partition, offset) {
      next[partition] = offset;
    },
    live: (partition) => next[partition],
  };
}
