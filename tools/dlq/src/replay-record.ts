import { DLQ_HEADERS, TOPICS } from '@threadcast/contracts';
import type { OutRecord } from '@threadcast/kafka';
import type { DlqEntry } from './dlq-entry';

/** Topics a stage consumes: the only places a dead-lettered record can be re-driven to. */
export const REPLAYABLE_TOPICS: readonly string[] = [TOPICS.comments, TOPICS.commentsEnriched];

const DLQ_HEADER_NAMES = new Set<string>(Object.values(DLQ_HEADERS));

/**
 * The record that re-drives a DLQ entry: the original key, value and headers (trace context
 * included), to the topic it was read from, without the DLQ's own headers and with
 * `dlq-replayed-from` naming the DLQ record. Keyed as before, so it lands in the same partition
 * (the Java partitioner). Throws when the entry cannot be re-driven.
 */
export function replayRecord(entry: DlqEntry): OutRecord {
  const topic = entry.source?.topic;
  if (topic === undefined) {
    throw new Error(`DLQ record ${entry.id} names no source topic; it cannot be re-driven`);
  }
  if (!REPLAYABLE_TOPICS.includes(topic)) {
    throw new Error(
      `DLQ record ${entry.id} came from ${topic}, which no stage consumes (replayable: ${REPLAYABLE_TOPICS.join(', ')})`,
    );
  }
  const truncated = entry.record.headers[DLQ_HEADERS.valueTruncated];
  if (truncated !== undefined) {
    const { partition, offset } = entry.source!;
    throw new Error(
      `DLQ record ${entry.id} holds a cut value (${entry.valueBytes} of ${truncated} bytes); re-drive the original from ${topic}/${partition}@${offset}`,
    );
  }
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(entry.record.headers)) {
    if (!DLQ_HEADER_NAMES.has(name)) headers[name] = value;
  }
  headers[DLQ_HEADERS.replayedFrom] = `${TOPICS.dlq}/${entry.partition}/${entry.offset}`;
  return { topic, key: entry.record.key ?? Buffer.alloc(0), value: entry.record.value, headers };
}
