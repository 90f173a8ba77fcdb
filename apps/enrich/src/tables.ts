import type { OutRecord } from '@threadcast/kafka';
import {
  indexCreated,
  isExpired,
  TIME_INDEX_PREFIX,
  timeIndexKey,
  type DropItem,
  type PartitionState,
} from '@threadcast/store';
import {
  CommentIndexEntry,
  decodeWith,
  ThreadInfo,
  TOPICS,
  UserProfile,
  type Validation,
} from '@threadcast/contracts';

/** What the stage reads of a table: on disk in the service (`lmdbTable`), a Map in unit tests. */
export interface Table<V> {
  get(key: string): V | undefined;
}

/**
 * The comment index of the input partition being handled (enrich's `comments` store): who wrote
 * each comment, whether it is held, what an approval delivers, what was decided.
 */
export interface CommentIndex {
  get(commentId: string): CommentIndexEntry | undefined;
  /** Writes the entry at once (a reply or an edit may follow in the same batch) and returns its changelog record. */
  put(entry: CommentIndexEntry): OutRecord;
  /** Puts a new comment in the store's time index (retention), at its creation time; its changelog record. */
  indexCreated(commentId: string, createdAtMs: number): OutRecord;
}

/**
 * The entry of `commentId` as an event at `atMs` (its acceptedAt) may see it: none when the
 * comment was created more than the retention window before, whether or not the sweep dropped it
 * yet, so a replay decides the same (by the records' own times, never the wall clock).
 */
export function liveEntry(
  index: CommentIndex,
  commentId: string,
  atMs: number,
  windowMs: number,
): CommentIndexEntry | undefined {
  const entry = index.get(commentId);
  if (entry?.createdAt !== undefined && !Number.isNaN(atMs) && isExpired(entry.createdAt, atMs, windowMs)) {
    return undefined;
  }
  return entry;
}

/**
 * Retention (libs/store sweeper.ts): an expired comment's entry goes (its tombstone), and with it
 * whatever its held text was. One key per comment: always done.
 */
export const dropCommentEntry: DropItem = (state, commentId) => {
  const records: OutRecord[] = [];
  if (state.get(commentId) !== undefined) records.push(state.remove(commentId));
  return { records, done: true };
};

/** What enrich joins with: users and threads whole (global tables), the index of one partition. */
export interface EnrichTables {
  users: Table<UserProfile>;
  threads: Table<ThreadInfo>;
  comments: CommentIndex;
}

export type TableName = keyof EnrichTables;

/** Name of enrich's partition-local comment index store (changelog `enrich.comments-changelog`). */
export const COMMENTS_STORE = 'comments';

const indexRecord = (entry: CommentIndexEntry) => Buffer.from(JSON.stringify(entry));

/** The comment index of one held store partition: every read from LMDB, nothing kept in the heap. */
export function storeCommentIndex(state: PartitionState): CommentIndex {
  return {
    get(commentId) {
      const b = state.get(commentId);
      // enrich's own changelog, written by this code only: trusted as it is.
      return b === undefined ? undefined : (JSON.parse(b.toString('utf8')) as CommentIndexEntry);
    },
    put: (entry) => state.put(entry.commentId, indexRecord(entry)),
    indexCreated: (commentId, createdAtMs) => indexCreated(state, commentId, createdAtMs),
  };
}

/** A users or threads table read from its global table on disk (validated when stored). */
export function lmdbTable<V>(table: { get(key: string): Buffer | undefined }): Table<V> {
  return {
    get(key) {
      const b = table.get(key);
      return b === undefined ? undefined : (JSON.parse(b.toString('utf8')) as V);
    },
  };
}

/** The comment index in memory (unit tests): what the store holds, and the same changelog records. */
export class MemoryCommentIndex extends Map<string, CommentIndexEntry> implements CommentIndex {
  /** The time index's keys, as the store would hold them. */
  readonly timeIndex = new Set<string>();

  indexCreated(commentId: string, createdAtMs: number): OutRecord {
    const key = timeIndexKey(createdAtMs, commentId);
    this.timeIndex.add(key);
    return { topic: TOPICS.enrichCommentsChangelog, key, value: Buffer.from('1'), changelog: true };
  }

  put(entry: CommentIndexEntry): OutRecord {
    this.set(entry.commentId, entry);
    return {
      topic: TOPICS.enrichCommentsChangelog,
      key: entry.commentId,
      value: indexRecord(entry),
      changelog: true,
    };
  }
}

/** All tables in memory: what unit tests pass. */
export interface MemoryTables {
  users: Map<string, UserProfile>;
  threads: Map<string, ThreadInfo>;
  comments: MemoryCommentIndex;
}

interface TableSpec<V> {
  topic: string;
  decode(value: Buffer): Validation<V>;
  /** The record key a value must carry, or compaction would keep the wrong record. */
  keyOf(value: V): string;
}

export const TABLE_SPECS: {
  users: TableSpec<UserProfile>;
  threads: TableSpec<ThreadInfo>;
  comments: TableSpec<CommentIndexEntry>;
} = {
  users: { topic: TOPICS.users, decode: (v) => decodeWith(UserProfile, v), keyOf: (v) => v.id },
  threads: { topic: TOPICS.threads, decode: (v) => decodeWith(ThreadInfo, v), keyOf: (v) => v.id },
  comments: {
    topic: TOPICS.enrichCommentsChangelog,
    decode: (v) => decodeWith(CommentIndexEntry, v),
    keyOf: (v) => v.commentId,
  },
};

export function createTables(): MemoryTables {
  return { users: new Map(), threads: new Map(), comments: new MemoryCommentIndex() };
}

/**
 * Why a users or threads record breaks its table's contract (it is then skipped), or undefined:
 * the global tables store only what passes.
 */
export function checkTableRecord(name: 'users' | 'threads', key: string, value: Buffer): string | undefined {
  const read =
    name === 'users' ? readValue(TABLE_SPECS.users, key, value) : readValue(TABLE_SPECS.threads, key, value);
  return read.ok ? undefined : read.reason;
}

function readValue<V>(
  spec: TableSpec<V>,
  key: string,
  value: Buffer,
): { ok: true; value: V } | { ok: false; reason: string } {
  const decoded = spec.decode(value);
  if (!decoded.ok) return { ok: false, reason: `${decoded.code}: ${decoded.message}` };
  if (spec.keyOf(decoded.value) !== key)
    return {
      ok: false,
      reason: `key_mismatch: key ${JSON.stringify(key.slice(0, 128))} is not the value's id`,
    };
  return { ok: true, value: decoded.value };
}

/**
 * Applies one record of a compacted topic to an in-memory table (unit tests: what a restore
 * does): a null value (tombstone) deletes the key, a valid value replaces it. Returns why a
 * record was skipped, or undefined.
 */
export function applyTableRecord(
  tables: MemoryTables,
  name: TableName,
  record: KeyValue,
): string | undefined {
  switch (name) {
    case 'users':
      return apply(tables.users, TABLE_SPECS.users, record);
    case 'threads':
      return apply(tables.threads, TABLE_SPECS.threads, record);
    case 'comments': {
      // The time index (retention) is in the changelog too: a key, no entry.
      const key = record.key?.toString('utf8');
      if (key?.startsWith(TIME_INDEX_PREFIX)) {
        if (record.value === null) tables.comments.timeIndex.delete(key);
        else tables.comments.timeIndex.add(key);
        return undefined;
      }
      return apply(tables.comments, TABLE_SPECS.comments, record);
    }
  }
}

interface KeyValue {
  key: Buffer | null;
  value: Buffer | null;
}

function apply<V>(table: Map<string, V>, spec: TableSpec<V>, record: KeyValue): string | undefined {
  if (record.key === null || record.key.length === 0) return 'missing_key: table records need a key';
  const key = record.key.toString('utf8');
  if (record.value === null) {
    table.delete(key);
    return undefined;
  }
  const read = readValue(spec, key, record.value);
  if (!read.ok) return read.reason;
  table.set(key, read.value);
  return undefined;
}
