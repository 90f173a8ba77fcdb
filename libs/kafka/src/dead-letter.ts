import { DLQ_HEADERS } from '@threadcast/contracts';
import type { InRecord, OutRecord } from './records';

export interface DeadLetterReason {
  code: string;
  message: string;
}

/**
 * The DLQ copy of a record: the original key, value bytes and headers, plus where it came from,
 * which stage refused it and why. Keyed like the original so replay lands in the same partition.
 */
export function deadLetter(
  record: InRecord,
  stage: string,
  reason: DeadLetterReason,
  topic: string,
  now = Date.now(),
): OutRecord {
  return {
    topic,
    key: record.key ?? Buffer.alloc(0),
    value: record.value,
    headers: {
      ...record.headers,
      [DLQ_HEADERS.sourceTopic]: record.topic,
      [DLQ_HEADERS.sourcePartition]: String(record.partition),
      [DLQ_HEADERS.sourceOffset]: record.offset,
      [DLQ_HEADERS.stage]: stage,
      [DLQ_HEADERS.code]: reason.code,
      // Header values are bounded: a reason quoting a 5 MB value must not make the DLQ record huge.
      [DLQ_HEADERS.reason]: reason.message.slice(0, 1000),
      [DLQ_HEADERS.at]: new Date(now).toISOString(),
    },
  };
}
