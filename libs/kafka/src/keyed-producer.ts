import { context, type Span } from '@opentelemetry/api';
import type { Kafka, Message, Producer, TopicMessages } from 'kafkajs';
import { partitionForKey } from './murmur2';
import type { OutRecord } from './records';
import { endSpans, startPublishSpans, untraced } from './record-tracing';

export interface KeyedProducer {
  connect(): Promise<void>;
  /**
   * Resolves once the broker acknowledged every record (acks=all). Calls made in the same
   * event-loop turn, or while a request is in flight, share one `sendBatch` (up to
   * `maxBatchRecords`), so a busy ingest sends few, large requests.
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
  let scheduled = false;
  // One request in flight at a time keeps records in order per partition. What arrives while it
  // is in flight waits and leaves as the next batch, so batches grow with the broker's latency
  // instead of tiny batches queueing up behind each other.
  let sending: Promise<void> | undefined;

  /** Takes whole sends off the queue, up to `maxBatch` records (at least one send). */
  const take = (): Pending[] => {
    let records = 0;
    let i = 0;
    while (i < queue.length && (i === 0 || records + queue[i]!.records.length <= maxBatch)) {
      records += queue[i]!.records.length;
      i++;
    }
    const batch = queue.slice(0, i);
    queue = queue.slice(i);
    return batch;
  };

  const pump = (): void => {
    scheduled = false;
    if (sending || queue.length === 0) return;
    const batch = take();
    sending = sendBatch(batch).finally(() => {
      sending = undefined;
      pump();
    });
  };

  const sendBatch = async (batch: Pending[]): Promise<void> => {
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
  };

  return {
    connect: () => producer.connect(),
    send(records) {
      if (records.length === 0) return Promise.resolve();
      const spans = startPublishSpans(records, context.active());
      return new Promise<void>((resolve, reject) => {
        queue.push({ records, spans, resolve, reject });
        // Wait one turn so sends made in the same turn share a request; a request in flight
        // makes everything wait for it anyway (pump runs again when it completes).
        if (!scheduled && !sending) {
          scheduled = true;
          setImmediate(pump);
        }
      });
    },
    async disconnect() {
      pump();
      while (sending) await sending;
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
