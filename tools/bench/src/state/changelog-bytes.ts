/**
 * What a stage wrote to its changelog topics over a stretch of time: the records between the
 * topics' end offsets at its start and at its end, read back and their bytes summed. (kafkajs
 * has no DescribeLogDirs, so on-disk size is not read; the bytes here are the records' own:
 * key, value and headers, without the record batch framing.)
 */
import {
  createPartitionReader,
  topicEndOffsets,
  type InRecord,
  type Kafka,
  type PartitionOffset,
} from '@threadcast/kafka';
import type { Logger } from '@threadcast/runtime';

export type EndOffsets = Map<string, PartitionOffset[]>;

export async function endOffsets(kafka: Kafka, topics: readonly string[]): Promise<EndOffsets> {
  const out: EndOffsets = new Map();
  for (const t of topics) out.set(t, await topicEndOffsets(kafka, t));
  return out;
}

export interface ChangelogGrowth {
  records: number;
  keyValueBytes: number;
  headerBytes: number;
  /** The records themselves, for checks on what was written. */
  written: InRecord[];
}

export function recordBytes(r: InRecord): { keyValue: number; headers: number } {
  let headers = 0;
  for (const [k, v] of Object.entries(r.headers)) headers += Buffer.byteLength(k) + Buffer.byteLength(v);
  return { keyValue: (r.key?.length ?? 0) + (r.value?.length ?? 0), headers };
}

/** Reads every record written to `topics` between `from` and `to` (end offsets taken earlier). */
export async function changelogGrowth(
  kafka: Kafka,
  logger: Logger,
  groupPrefix: string,
  from: EndOffsets,
  to: EndOffsets,
): Promise<ChangelogGrowth> {
  const growth: ChangelogGrowth = { records: 0, keyValueBytes: 0, headerBytes: 0, written: [] };
  for (const [topic, starts] of from) {
    const ends = new Map((to.get(topic) ?? []).map((o) => [o.partition, Number(o.offset)]));
    const wanted = starts.filter((s) => Number(s.offset) < (ends.get(s.partition) ?? 0));
    if (wanted.length === 0) continue;
    const reader = await createPartitionReader({
      kafka,
      topic,
      groupId: `${groupPrefix}-${topic}`,
      logger,
      maxWaitTimeInMs: 100,
      onRecord: (r) => {
        if (Number(r.offset) >= (ends.get(r.partition) ?? 0)) return;
        const b = recordBytes(r);
        growth.records++;
        growth.keyValueBytes += b.keyValue;
        growth.headerBytes += b.headers;
        growth.written.push(r);
      },
    });
    try {
      for (const s of wanted) reader.readFrom(s.partition, Number(s.offset));
      const deadline = Date.now() + 120_000;
      while (wanted.some((s) => (reader.position(s.partition) ?? 0) < ends.get(s.partition)!)) {
        if (Date.now() > deadline) throw new Error(`timed out reading back ${topic}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    } finally {
      await reader.close();
    }
  }
  return growth;
}
