import { context, type Span } from '@opentelemetry/api';
import type { Kafka, Message, Producer, TopicMessages } from 'kafkajs';
import { partitionForKey } from './murmur2';
import type { OutRecord } from './records';
import { endSpans, startPublishSpans, untraced } from './record-tracing';

export interface KeyedProducer {
  connect(): Promise<void>;
  /**
   * Resolves once the broker acknowledged every record (acks=all). Calls made in the same
   * event-loop turn share one `sendBatch`, so a busy ingest sends few, large requests.
   */
  send(records: OutRecord[]): Promise<void>;
  disconnect(): Promise<void>;
}

/** Kafka's Java default partitioner for keyed records, as a kafkajs partitioner. */
export const javaCompatiblePartitioner =
  () => (args: { partitionMetadata: { partitionId: number }[]; message: Message }) => {
    const { message, partitionMetadata } = args;
    if (message.partition !== undefined) return message.partition;
    if (message.key === null || message.key === undefined) {
      throw new Error('keyed producer: every record needs a key');
    }
    return partitionForKey(message.key, partitionMetadata.length);
  };

interface Pending {
  records: OutRecord[];
  spans: Span[];
  resolve: () => void;
  reject: (e: unknown) => void;
}

/** Idempotent, acks=all producer that batches concurrent sends into one `sendBatch`. */
export function createKeyedProducer(kafka: Kafka, opts: { maxBatchRecords?: number } = {}): KeyedProducer {
  const maxBatch = opts.maxBatchRecords ?? 1000;
  const producer: Producer = kafka.producer({
    idempotent: true,
    maxInFlightRequests: 1,
    // The idempotent producer must not give up on its own (kafkajs warns otherwise); callers
    // bound the wait instead (ingest answers 503 after a timeout, stages retry with backoff).
    retry: { retries: Number.MAX_SAFE_INTEGER, initialRetryTime: 200, maxRetryTime: 5000 },
    allowAutoTopicCreation: false,
    createPartitioner: javaCompatiblePartitioner,
  });
  let queue: Pending[] = [];
  let queued = 0;
  let scheduled = false;
  // One request in flight at a time keeps records in order per partition across flushes.
  let inFlight: Promise<void> = Promise.resolve();

  const flush = () => {
    scheduled = false;
    const batch = queue;
    queue = [];
    queued = 0;
    if (batch.length === 0) return;
    inFlight = inFlight.then(async () => {
      try {
        await untraced(() => producer.sendBatch({ acks: -1, topicMessages: toTopicMessages(batch) }));
        for (const p of batch) {
          endSpans(p.spans);
          p.resolve();
        }
      } catch (e) {
        for (const p of batch) {
          endSpans(p.spans, e);
          p.reject(e);
        }
      }
    });
  };

  return {
    connect: () => producer.connect(),
    send(records) {
      if (records.length === 0) return Promise.resolve();
      const spans = startPublishSpans(records, context.active());
      return new Promise<void>((resolve, reject) => {
        queue.push({ records, spans, resolve, reject });
        queued += records.length;
        if (queued >= maxBatch) flush();
        else if (!scheduled) {
          scheduled = true;
          setImmediate(flush);
        }
      });
    },
    async disconnect() {
      flush();
      await inFlight;
      await producer.disconnect();
    },
  };
}

function toTopicMessages(batch: Pending[]): TopicMessages[] {
  const byTopic = new Map<string, Message[]>();
  for (const p of batch) {
    for (const r of p.records) {
      let list = byTopic.get(r.topic);
      if (!list) byTopic.set(r.topic, (list = []));
      list.push({ key: r.key, value: r.value, headers: r.headers });
    }
  }
  return [...byTopic].map(([topic, messages]) => ({ topic, messages }));
}
