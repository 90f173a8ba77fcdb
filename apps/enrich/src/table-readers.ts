import {
  openChangelogReader,
  readTopic,
  type ChangelogReader,
  type InRecord,
  type Kafka,
  type TopicReader,
} from '@threadcast/kafka';
import type { Logger } from '@threadcast/runtime';
import { INDEX_WRITER_HEADER } from './enrich-record';
import { applyTableRecord, TABLE_SPECS, type EnrichTables, type TableName } from './tables';

export interface TableReaders {
  /**
   * Loads every table up to where its topic ends now; safe to call again after a failure (what
   * was opened stays open). users and threads then keep following their topics (ingest writes
   * them); comments.index is enrich's own changelog and is read again only by `catchUp`.
   */
  restore(): Promise<void>;
  /** Reads what other enrich pods wrote to comments.index since the last catch-up. */
  catchUp(): Promise<void>;
  /** Idempotent: every call waits for the same disconnect. */
  stop(): Promise<void>;
}

/**
 * The tables enrich joins with, each under a group of its own (`<groupPrefix>-<table>`, unique
 * to the process), never committing. A record that breaks its table's contract is skipped with
 * a warning and counted; it never stops a reader.
 */
export function createTableReaders(opts: {
  kafka: Kafka;
  tables: EnrichTables;
  groupPrefix: string;
  /** This process' writer id: its own comments.index writes are in the table already. */
  writerId: string;
  logger: Logger;
  onSkipped?: (table: TableName) => void;
}): TableReaders {
  const { logger } = opts;
  const apply = (name: TableName) => (record: InRecord) => {
    const skipped = applyTableRecord(opts.tables, name, record);
    if (skipped === undefined) return;
    opts.onSkipped?.(name);
    const { partition, offset } = record;
    logger.warn(
      { topic: TABLE_SPECS[name].topic, partition, offset, reason: skipped },
      'skipping invalid table record',
    );
  };
  const followed: Partial<Record<'users' | 'threads', TopicReader>> = {};
  let index: ChangelogReader | undefined;
  let stopped: Promise<void> | undefined;

  const follow = async (name: 'users' | 'threads') =>
    (followed[name] ??= await readTopic({
      kafka: opts.kafka,
      topic: TABLE_SPECS[name].topic,
      groupId: `${opts.groupPrefix}-${name}`,
      fromBeginning: true,
      logger,
      onRecord: apply(name),
    }));
  const openIndex = async () =>
    (index ??= await openChangelogReader({
      kafka: opts.kafka,
      topic: TABLE_SPECS.comments.topic,
      groupId: `${opts.groupPrefix}-comments`,
      logger,
      onRecord: (record) => {
        if (record.headers[INDEX_WRITER_HEADER] !== opts.writerId) apply('comments')(record);
      },
    }));

  return {
    async restore() {
      const [users, threads, comments] = await Promise.all([follow('users'), follow('threads'), openIndex()]);
      await Promise.all([users.caughtUp, threads.caughtUp, comments.catchUp()]);
    },
    catchUp: async () => (await openIndex()).catchUp(),
    stop: () =>
      (stopped ??= Promise.all([followed.users?.stop(), followed.threads?.stop(), index?.close()]).then(
        () => undefined,
      )),
  };
}
