import type { TopicSpec } from '@threadcast/contracts';
import { ConfigResourceTypes, type Admin, type ITopicConfig } from 'kafkajs';
import { retryWhileRetriable } from './backoff';

export interface TopicDifference {
  topic: string;
  setting: string;
  expected: string;
  actual: string;
}

export interface ProvisionReport {
  created: string[];
  existing: string[];
  differences: TopicDifference[];
}

/**
 * Idempotent: creates the topics that are missing and reports, without touching them, the
 * existing ones whose partition count, replication factor or configs differ from the spec (changing partitions of a
 * keyed topic would move threads between partitions, which is an operator's decision).
 */
export async function provisionTopics(admin: Admin, specs: TopicSpec[]): Promise<ProvisionReport> {
  const present = new Set(await admin.listTopics());
  const missing = specs.filter((s) => !present.has(s.name));
  if (missing.length > 0) {
    await createTopicsAndWait(admin, {
      topics: missing.map((s) => ({
        topic: s.name,
        numPartitions: s.partitions,
        replicationFactor: s.replicationFactor,
        configEntries: Object.entries(s.config).map(([name, value]) => ({ name, value })),
      })),
    });
  }
  const existingSpecs = specs.filter((s) => present.has(s.name));
  const differences: TopicDifference[] = [];
  if (existingSpecs.length > 0) {
    const meta = await admin.fetchTopicMetadata({ topics: existingSpecs.map((s) => s.name) });
    for (const t of meta.topics) {
      const spec = existingSpecs.find((s) => s.name === t.name)!;
      if (t.partitions.length !== spec.partitions) {
        differences.push({
          topic: t.name,
          setting: 'partitions',
          expected: String(spec.partitions),
          actual: String(t.partitions.length),
        });
      }
      // A topic created before the cluster grew keeps its replicas: moving them is a reassignment.
      const replicas = Math.min(...t.partitions.map((p) => p.replicas.length));
      if (t.partitions.length > 0 && replicas !== spec.replicationFactor) {
        differences.push({
          topic: t.name,
          setting: 'replication factor',
          expected: String(spec.replicationFactor),
          actual: String(replicas),
        });
      }
    }
    const configs = await admin.describeConfigs({
      includeSynonyms: false,
      resources: existingSpecs.map((s) => ({
        type: ConfigResourceTypes.TOPIC,
        name: s.name,
        configNames: Object.keys(s.config),
      })),
    });
    for (const r of configs.resources) {
      const spec = existingSpecs.find((s) => s.name === r.resourceName)!;
      for (const entry of r.configEntries) {
        const expected = spec.config[entry.configName];
        if (expected !== undefined && expected !== entry.configValue) {
          differences.push({
            topic: r.resourceName,
            setting: entry.configName,
            expected,
            actual: entry.configValue,
          });
        }
      }
    }
  }
  return { created: missing.map((s) => s.name), existing: existingSpecs.map((s) => s.name), differences };
}

/** Which of `names` the cluster lacks; readiness uses it. */
export async function missingTopics(admin: Admin, names: string[]): Promise<string[]> {
  const present = new Set(await admin.listTopics());
  return names.filter((n) => !present.has(n));
}

/**
 * createTopics, then waits until every partition is served: kafkajs' own `waitForLeaders` gives
 * up on Kafka 4 (KRaft), whose brokers answer "unknown topic" and then "not the leader" for a
 * moment after the create returns. A topic whose offsets can be listed is ready for readers.
 */
export async function createTopicsAndWait(
  admin: Admin,
  opts: { topics: ITopicConfig[]; timeoutMs?: number },
): Promise<void> {
  await admin.createTopics({ waitForLeaders: false, topics: opts.topics });
  await retryWhileRetriable(
    () => Promise.all(opts.topics.map((t) => fetchOffsetsOnceLed(admin, t.topic))),
    opts.timeoutMs,
  );
}

/**
 * fetchTopicOffsets, failing retriably while a partition has no leader yet. On a cluster of
 * several brokers a new topic's metadata lists partitions before their leaders, and kafkajs then
 * sends no ListOffsets request for them and throws a TypeError (`high.pop(...)` is undefined),
 * which is not retriable.
 */
async function fetchOffsetsOnceLed(admin: Admin, topic: string) {
  const notYet = (why: string) =>
    Object.assign(new Error(`topic ${topic} is not served yet: ${why}`), { retriable: true });
  const meta = await admin.fetchTopicMetadata({ topics: [topic] });
  const leaderless = meta.topics.flatMap((t) => t.partitions.filter((p) => p.leader < 0));
  if (leaderless.length > 0) throw notYet(`${leaderless.length} partition(s) without a leader`);
  try {
    return await admin.fetchTopicOffsets(topic);
  } catch (e) {
    if (e instanceof TypeError) throw Object.assign(notYet(e.message), { cause: e });
    throw e;
  }
}
