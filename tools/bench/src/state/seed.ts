/**
 * Writes seeded history straight into its topics, fast: the repo's keyed producer (Kafka's
 * partitioner, acks=all) with 10,000 records per request at most, each request under the
 * broker's 1 MiB, a few sends queued so the next request is ready when one is acknowledged.
 */
import { createKeyedProducer, type Kafka, type OutRecord } from '@threadcast/kafka';

const RECORDS_PER_SEND = 10_000;
const SENDS_QUEUED = 4;

export interface Seeded {
  topic: string;
  records: number;
  /** Key + value bytes written (headers and batch overhead not counted). */
  bytes: number;
  seconds: number;
}

export async function seedTopic(
  kafka: Kafka,
  topic: string,
  records: Iterable<OutRecord>,
  log: (msg: string) => void,
): Promise<Seeded> {
  const producer = createKeyedProducer(kafka, { maxBatchRecords: RECORDS_PER_SEND });
  await producer.connect();
  const started = performance.now();
  let count = 0;
  let bytes = 0;
  let nextLog = 250_000;
  const queued = new Set<Promise<void>>();
  let failure: unknown;
  const send = (chunk: OutRecord[]) => {
    const p = producer.send(chunk).catch((e: unknown) => {
      failure ??= e;
    });
    const tracked = p.finally(() => queued.delete(tracked));
    queued.add(tracked);
  };
  try {
    let chunk: OutRecord[] = [];
    for (const r of records) {
      chunk.push(r);
      count++;
      bytes += Buffer.byteLength(r.key) + (r.value === null ? 0 : Buffer.byteLength(r.value));
      if (chunk.length < RECORDS_PER_SEND) continue;
      send(chunk);
      chunk = [];
      while (queued.size >= SENDS_QUEUED) await Promise.race(queued);
      if (failure !== undefined) throw failure;
      if (count >= nextLog) {
        log(`${topic}: ${count.toLocaleString('en-US')} records...`);
        nextLog += 250_000;
      }
    }
    if (chunk.length > 0) send(chunk);
    await Promise.all(queued);
    if (failure !== undefined) throw failure;
  } finally {
    await producer.disconnect();
  }
  return { topic, records: count, bytes, seconds: (performance.now() - started) / 1000 };
}
