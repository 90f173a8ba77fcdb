import { channelKey } from '@threadcast/contracts';
import { partitionForKey } from '@threadcast/kafka';
import { cursorOf } from './frame-delivery';

/**
 * The last offset this pod has read in each `deliveries` partition, delivered to someone or not.
 * A channel lives in exactly one partition, so that position is a valid cursor for any channel
 * there: everything the channel's new subscriber gets from now on comes after it.
 */
export interface PartitionPositions {
  advance(partition: number, offset: string): void;
  /** The channel's partition's position as a cursor, or null before this pod read anything there. */
  cursorForChannel(channel: string): string | null;
}

export function createPartitionPositions(partitionCount: number): PartitionPositions {
  const offsets: (string | undefined)[] = new Array(partitionCount).fill(undefined);
  return {
    advance(partition, offset) {
      offsets[partition] = offset;
    },
    cursorForChannel(channel) {
      const partition = partitionForKey(channelKey(channel), partitionCount);
      const offset = offsets[partition];
      return offset === undefined ? null : cursorOf(partition, offset);
    },
  };
}
