/** A bounded memory of event ids, to drop the duplicates at-least-once delivery lets through. */
export interface RecentIds {
  /** True when `id` was seen among the last `capacity` ids; records it either way. */
  seen(id: string): boolean;
  readonly size: number;
}

export function createRecentIds(capacity: number): RecentIds {
  // A Set iterates in insertion order, so re-inserting on a hit makes its first entry the least
  // recently seen id: an LRU with no extra bookkeeping.
  const ids = new Set<string>();
  return {
    seen(id) {
      if (ids.has(id)) {
        ids.delete(id);
        ids.add(id);
        return true;
      }
      ids.add(id);
      if (ids.size > capacity) ids.delete(ids.values().next().value as string);
      return false;
    },
    get size() {
      return ids.size;
    },
  };
}
