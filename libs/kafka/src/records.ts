import type { Context } from '@opentelemetry/api';
import type { IHeaders, KafkaMessage } from 'kafkajs';

/** A consumed record with headers decoded to strings: what stage handlers see. */
export interface InRecord {
  topic: string;
  partition: number;
  offset: string;
  key: Buffer | null;
  value: Buffer | null;
  headers: Record<string, string>;
  /** Broker/producer timestamp, epoch ms as a string (kafkajs' form). */
  timestamp: string;
}

/** A record to produce. The key decides the partition (Java murmur2), so it is required. */
export interface OutRecord {
  topic: string;
  key: string | Buffer;
  value: Buffer | string | null;
  /**
   * An explicit partition instead of the key's: a state store's changelog record goes to the
   * partition number of the input partition whose state it is (co-partitioned, as in Kafka Streams).
   */
  partition?: number;
  headers?: Record<string, string>;
  /**
   * A state store's changelog record: produced bare, without headers, trace context or hop
   * trail (its headers, if any, are dropped), so that a vote costs a few dozen bytes.
   */
  changelog?: boolean;
  /**
   * The trace context the record was made in (a stage sets its processing span's); its
   * `publish` span is a child of it. Defaults to the context active when it is sent.
   */
  traceContext?: Context;
}

export function decodeHeaders(headers: IHeaders | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (!headers) return out;
  for (const name in headers) {
    const v = headers[name];
    if (v === undefined) continue;
    const last = Array.isArray(v) ? v[v.length - 1] : v;
    if (last !== undefined) out[name] = typeof last === 'string' ? last : last.toString('utf8');
  }
  return out;
}

export function toInRecord(topic: string, partition: number, m: KafkaMessage): InRecord {
  return {
    topic,
    partition,
    offset: m.offset,
    key: m.key,
    value: m.value,
    headers: decodeHeaders(m.headers),
    timestamp: m.timestamp,
  };
}
