import { DLQ_HEADERS, HEADERS } from '@threadcast/contracts';
import type { InRecord } from '@threadcast/kafka';

/** Where a dead-lettered record was read from when its stage refused it. */
export interface SourcePosition {
  topic: string;
  partition: number;
  offset: string;
}

/** One `comments.dlq` record, as on-call reads it. */
export interface DlqEntry {
  /** The record's id in the DLQ: its offset, or `<partition>:<offset>` beyond partition 0. */
  id: string;
  partition: number;
  offset: string;
  /** When the stage dead-lettered it (its `dlq-at` header, else the record's timestamp). */
  at: string;
  stage: string;
  code: string;
  reason: string;
  /** Undefined when the headers do not say (a record not written by a stage). */
  source: SourcePosition | undefined;
  /** The original key, as text. */
  key: string;
  valueBytes: number;
  eventId: string | undefined;
  /** `comments.dlq/<partition>/<offset>` of the DLQ record this one is a replay of. */
  replayedFrom: string | undefined;
  record: InRecord;
}

export function dlqId(partition: number, offset: string): string {
  return partition === 0 ? offset : `${partition}:${offset}`;
}

/** A DLQ record -> its entry. Never throws: missing headers show as `?`. */
export function toDlqEntry(record: InRecord): DlqEntry {
  const h = record.headers;
  const sourcePartition = Number(h[DLQ_HEADERS.sourcePartition]);
  const sourceTopic = h[DLQ_HEADERS.sourceTopic];
  const sourceOffset = h[DLQ_HEADERS.sourceOffset];
  const source =
    sourceTopic && sourceOffset && /^\d+$/.test(sourceOffset) && Number.isInteger(sourcePartition)
      ? { topic: sourceTopic, partition: sourcePartition, offset: sourceOffset }
      : undefined;
  const timestamp = Number(record.timestamp);
  return {
    id: dlqId(record.partition, record.offset),
    partition: record.partition,
    offset: record.offset,
    at: h[DLQ_HEADERS.at] ?? (Number.isFinite(timestamp) ? new Date(timestamp).toISOString() : '?'),
    stage: h[DLQ_HEADERS.stage] ?? '?',
    code: h[DLQ_HEADERS.code] ?? '?',
    reason: h[DLQ_HEADERS.reason] ?? '',
    source,
    key: record.key === null ? '' : record.key.toString('utf8'),
    valueBytes: record.value?.length ?? 0,
    eventId: h[HEADERS.eventId],
    replayedFrom: h[DLQ_HEADERS.replayedFrom],
    record,
  };
}

export function formatSource(source: SourcePosition | undefined): string {
  return source ? `${source.topic}/${source.partition}@${source.offset}` : '?';
}
