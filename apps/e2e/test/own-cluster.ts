import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createKafka, type Kafka } from '@threadcast/kafka';
import { createLogger } from '@threadcast/runtime';
import { startKafkaCli } from './kafka-cli';

type Admin = ReturnType<Kafka['admin']>;

/**
 * One node of the test's own KRaft cluster: `tools/kafka/cli.mjs start --brokers N --node K` in
 * its own process, so the test can crash it, stop it and start it again on the same ports and data.
 */
export interface ClusterNode {
  readonly id: number;
  /** host:port of its broker listener. */
  readonly address: string;
  running(): boolean;
  /** SIGKILLs the node's JVM, as a crash would. */
  kill(): Promise<void>;
  /** SIGTERM: Kafka's controlled shutdown (leaderships moved away first), as a rolling restart does. */
  stop(): Promise<void>;
  /** Starts it again on the same ports and data; resolves once it serves metadata. */
  start(): Promise<void>;
}

export interface OwnCluster {
  /** Bootstrap list, every node. */
  readonly brokers: string;
  readonly nodes: ClusterNode[];
  node(id: number): ClusterNode;
  /** A kafkajs admin on the cluster, for leaders and in-sync replicas. */
  readonly admin: Admin;
  /** Partitions (all topics) whose in-sync replicas are fewer than their replicas. */
  underReplicated(): Promise<number>;
  /** The node id that leads `topic`'s `partition` now (-1: none). */
  leaderOf(topic: string, partition: number): Promise<number>;
  /** Stops every node for good and deletes the data. */
  stop(): Promise<void>;
  readonly log: string[];
}

export async function ownCluster(size = 3): Promise<OwnCluster> {
  const dataDir = mkdtempSync(join(tmpdir(), 'threadcast-cluster-'));
  const log: string[] = [];
  const addresses = new Map<number, string>();

  const makeNode = (id: number) => {
    let cli: ChildProcess | undefined;
    let jvmPid: number | undefined;
    const exited = () =>
      new Promise<void>((resolve) => {
        const child = cli;
        if (!child || child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once('exit', () => resolve());
      });
    const node: ClusterNode = {
      id,
      get address() {
        return addresses.get(id)!;
      },
      running: () => !!cli && cli.exitCode === null && cli.signalCode === null,
      start: async () => {
        const proc = startKafkaCli(
          ['--brokers', String(size), '--node', String(id), '--data', dataDir],
          log,
          `broker ${id}`,
        );
        cli = proc.child;
        const address = await proc.ready;
        jvmPid = proc.jvmPid();
        addresses.set(id, address);
      },
      async kill() {
        if (jvmPid === undefined) throw new Error(`no pid seen for broker ${id}`);
        const done = exited();
        process.kill(jvmPid, 'SIGKILL');
        jvmPid = undefined;
        await done;
      },
      async stop() {
        const done = exited();
        cli?.kill('SIGTERM');
        const pid = jvmPid;
        const timer = setTimeout(() => pid !== undefined && process.kill(pid, 'SIGKILL'), 30_000);
        await done;
        clearTimeout(timer);
        jvmPid = undefined;
      },
    };
    return node;
  };

  const nodes = Array.from({ length: size }, (_, i) => makeNode(i + 1));
  // All at once: a voter waits for a quorum before it serves.
  const started = await Promise.allSettled(nodes.map((n) => n.start()));
  const failed = started.find((r) => r.status === 'rejected');
  if (failed) {
    await Promise.all(nodes.map((n) => n.stop()));
    rmSync(dataDir, { recursive: true, force: true });
    throw failed.reason;
  }
  const brokers = nodes.map((n) => n.address).join(',');
  const kafka = createKafka(
    { KAFKA_BROKERS: brokers.split(','), KAFKA_SSL: false, KAFKA_SASL_MECHANISM: 'none' },
    createLogger({ service: 'e2e-cluster', level: 'silent' }),
    'e2e-cluster',
  );
  const admin = kafka.admin();
  await admin.connect();
  const metadata = async () => (await admin.fetchTopicMetadata()).topics;
  return {
    brokers,
    nodes,
    node: (id) => nodes.find((n) => n.id === id)!,
    admin,
    log,
    async underReplicated() {
      const topics = await metadata();
      return topics
        .flatMap((t) => t.partitions)
        .filter((p) => p.isr.length < p.replicas.length || p.leader < 0).length;
    },
    async leaderOf(topic, partition) {
      const [t] = (await admin.fetchTopicMetadata({ topics: [topic] })).topics;
      return t?.partitions.find((p) => p.partitionId === partition)?.leader ?? -1;
    },
    async stop() {
      await admin.disconnect().catch(() => undefined);
      await Promise.all(nodes.map((n) => n.stop()));
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
