import { readTopic, type Kafka, type TopicReader } from '@threadcast/kafka';
import type { Logger } from '@threadcast/runtime';
import { applyTableRecord, TABLE_SPECS, type EnrichTables, type TableName } from './tables';

export interface TableReaders {
  /** Every table has read up to where its topic ended when the readers started. */
  isCaughtUp(): boolean;
  caughtUp: Promise<void>;
  /** Idempotent: every call waits for the same disconnect. */
  stop(): Promise<void>;
}

/**
 * Keeps each table in step with its compacted topic: every pod reads every partition from the
 * beginning under its own group (`<groupPrefix>-<table>`), never committing. A record that breaks
 * its table's contract is skipped with a warning and counted; it never stops the reader.
 */
export async function startTableReaders(opts: {
  kafka: Kafka;
  tables: EnrichTables;
  groupPrefix: string;
  logger: Logger;
  onSkipped?: (table: TableName) => void;
}): Promise<TableReaders> {
  const names = Object.keys(TABLE_SPECS) as TableName[];
  const readers: TopicReader[] = [];
  try {
    for (const name of names) {
      const topic = TABLE_SPECS[name].topic;
      readers.push(
        await readTopic({
          kafka: opts.kafka,
          topic,
          groupId: `${opts.groupPrefix}-${name}`,
          fromBeginning: true,
          logger: opts.logger,
          onRecord: (record) => {
            const skipped = applyTableRecord(opts.tables, name, record);
            if (skipped === undefined) return;
            opts.onSkipped?.(name);
            const { partition, offset } = record;
            opts.logger.warn({ topic, partition, offset, reason: skipped }, 'skipping invalid table record');
          },
        }),
      );
    }
  } catch (e) {
    await Promise.all(readers.map((r) => r.stop().catch(() => undefined)));
    throw e;
  }
  let stopped: Promise<void> | undefined;
  return {
    isCaughtUp: () => readers.every((r) => r.isCaughtUp()),
    caughtUp: Promise.all(readers.map((r) => r.caughtUp)).then(() => undefined),
    stop: () => (stopped ??= Promise.all(readers.map((r) => r.stop())).then(() => undefined)),
  };
}
