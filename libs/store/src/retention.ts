import type { OutRecord } from '@threadcast/kafka';
import type { PartitionState } from './partition-state';

/**
 * Retention of a store's items (route's comments, enrich's comment index): an item created more
 * than the window ago may be dropped, whatever happened to it since (threads go quiet), so a
 * store holds at most a window of history. Creation is the time of the record that created the
 * item (its event's `acceptedAt`), never the time it was handled, so a replay or a restore gives
 * the same index; the sweep (sweeper.ts) compares it with the wall clock.
 *
 * The time index: a store writes `t/<createdAt, epoch ms, 13 digits>/<id>` with the item, in the
 * changelog like its other keys (a restore brings it back with the item), and deletes it with the
 * item, last. The sweep reads it by key range up to the cutoff, so it never scans live items.
 * Ids never contain `/`.
 */
export const TIME_INDEX_PREFIX = 't/';

const DAY_MS = 86_400_000;
/** Epoch ms up to the year 2286 in 13 digits: the keys sort by time. */
const TIME_DIGITS = 13;
const MARK = Buffer.from('1');

/** `STATE_RETENTION_DAYS` as ms; 0 keeps forever. */
export function retentionWindowMs(days: number): number {
  return days * DAY_MS;
}

/** Whether an item created at `createdAtMs` is past the window at `atMs` (never with window 0). */
export function isExpired(createdAtMs: number, atMs: number, windowMs: number): boolean {
  return windowMs > 0 && createdAtMs <= atMs - windowMs;
}

export function timeIndexKey(createdAtMs: number, id: string): string {
  const t = Math.max(0, Math.floor(createdAtMs));
  return `${TIME_INDEX_PREFIX}${String(t).padStart(TIME_DIGITS, '0')}/${id}`;
}

export function parseTimeIndexKey(key: string): { createdAtMs: number; id: string } | undefined {
  if (!key.startsWith(TIME_INDEX_PREFIX)) return undefined;
  const slash = key.indexOf('/', TIME_INDEX_PREFIX.length);
  if (slash < 0) return undefined;
  const createdAtMs = Number(key.slice(TIME_INDEX_PREFIX.length, slash));
  if (!Number.isSafeInteger(createdAtMs)) return undefined;
  return { createdAtMs, id: key.slice(slash + 1) };
}

/** The end (exclusive) of the index range of items expired at `nowMs`. */
export function expiredRangeEnd(nowMs: number, windowMs: number): string {
  return timeIndexKey(nowMs - windowMs + 1, '');
}

/** Indexes an item by its creation time: written with the item (also again on a replay). */
export function indexCreated(state: PartitionState, id: string, createdAtMs: number): OutRecord {
  return state.put(timeIndexKey(createdAtMs, id), MARK);
}

/** Deletes an item's index entry (its tombstone): with the item, last. */
export function unindex(state: PartitionState, id: string, createdAtMs: number): OutRecord {
  return state.remove(timeIndexKey(createdAtMs, id));
}

/**
 * A store's way to drop one expired item: removes up to `budget` of its keys and returns their
 * tombstones, the key that says the item exists last (so a partly dropped item is finished by
 * the next sweep, and a vote meanwhile still finds it consistent). `done` once nothing of it is
 * left but its index entry, which the sweep removes. Derived local data (a tally) goes with it.
 */
export type DropItem = (
  state: PartitionState,
  id: string,
  budget: number,
) => { records: OutRecord[]; done: boolean };
