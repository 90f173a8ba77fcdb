import { DLQ_HEADERS } from '@threadcast/contracts';
import type { InRecord, OutRecord } from './records';
import { REQUEST_OVERHEAD_BYTES, recordBytes, topicBytes } from './request-bytes';

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

/** Room left for what the producer adds to a record's headers (trace context). */
const TRACE_HEADER_BYTES = 512;

/**
 * A DLQ copy that fits a produce request of `maxRequestBytes`: as it is when it does, else with
 * its value cut (key, headers, source position and reason kept) and `dlq-value-truncated`
 * giving the original value's length.
 */
export function fitDeadLetter(r: OutRecord, maxRequestBytes: number): OutRecord {
  const room = maxRequestBytes - REQUEST_OVERHEAD_BYTES - topicBytes(r.topic) - TRACE_HEADER_BYTES;
  if (recordBytes(r.key, r.value, r.headers) <= room) return r;
  const value = r.value === null ? Buffer.alloc(0) : Buffer.from(r.value);
  const headers = { ...r.headers, [DLQ_HEADERS.valueTruncated]: String(value.length) };
  const keep = Math.max(0, room - recordBytes(r.key, null, headers));
  return { ...r, value: value.subarray(0, Math.min(keep, value.length)), headers };
}
