import {
  CommentIndexEntry,
  decodeWith,
  ThreadInfo,
  TOPICS,
  UserProfile,
  type Validation,
} from '@threadcast/contracts';

/** The part of a Map the stage uses; a plain Map is one, which is what unit tests pass. */
export interface Table<V> {
  get(key: string): V | undefined;
  set(key: string, value: V): unknown;
  delete(key: string): unknown;
  readonly size: number;
}

/** The compacted topics enrich joins with, kept in memory the Kafka Streams way. */
export interface EnrichTables {
  users: Table<UserProfile>;
  threads: Table<ThreadInfo>;
  /** comments.index: lets a reply find its parent's author. */
  comments: Table<CommentIndexEntry>;
}

export type TableName = keyof EnrichTables;

interface TableSpec<V> {
  topic: string;
  decode(value: Buffer): Validation<V>;
  /** The record key a value must carry, or compaction would keep the wrong record. */
  keyOf(value: V): string;
}

export const TABLE_SPECS: {
  [N in TableName]: TableSpec<EnrichTables[N] extends Table<infer V> ? V : never>;
} = {
  users: { topic: TOPICS.users, decode: (v) => decodeWith(UserProfile, v), keyOf: (v) => v.id },
  threads: { topic: TOPICS.threads, decode: (v) => decodeWith(ThreadInfo, v), keyOf: (v) => v.id },
  comments: {
    topic: TOPICS.commentIndex,
    decode: (v) => decodeWith(CommentIndexEntry, v),
    keyOf: (v) => v.commentId,
  },
};

export function createTables(): EnrichTables {
  return { users: new Map(), threads: new Map(), comments: new Map() };
}

/**
 * Applies one record of a compacted topic to its table: a null value (tombstone) deletes the
 * key, a valid value replaces it. Returns why a record was skipped, or undefined.
 */
export function applyTableRecord(
  tables: EnrichTables,
  name: TableName,
  record: KeyValue,
): string | undefined {
  switch (name) {
    case 'users':
      return apply(tables.users, TABLE_SPECS.users, record);
    case 'threads':
      return apply(tables.threads, TABLE_SPECS.threads, record);
    case 'comments':
      return apply(tables.comments, TABLE_SPECS.comments, record);
  }
}

interface KeyValue {
  key: Buffer | null;
  value: Buffer | null;
}

function apply<V>(table: Table<V>, spec: TableSpec<V>, record: KeyValue): string | undefined {
  if (record.key === null || record.key.length === 0) return 'missing_key: table records need a key';
  const key = record.key.toString('utf8');
  if (record.value === null) {
    table.delete(key);
    return undefined;
  }
  const decoded = spec.decode(record.value);
  if (!decoded.ok) return `${decoded.code}: ${decoded.message}`;
  if (spec.keyOf(decoded.value) !== key)
    return `key_mismatch: key ${JSON.stringify(key.slice(0, 128))} is not the value's id`;
  table.set(key, decoded.value);
  return undefined;
}
