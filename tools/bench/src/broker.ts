/**
 * The Kafka a run uses: the cluster in KAFKA_BROKERS when set (plain, no TLS/SASL: a local or
 * test broker), else a throwaway single-node broker from tools/kafka (fresh data folder, stopped
 * at the end), with the platform's topics provisioned by apps/topics either way.
 */
import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { startApp } from './services';

export interface Broker {
  brokers: string;
  /** The broker JVM when this run started it, for its CPU and RSS. */
  pid: number | undefined;
  stop(): Promise<void>;
}

interface KafkaHandle {
  brokers: string;
  pid: number;
  dataDir: string;
  stop(): Promise<void>;
}

export async function useBroker(repoRoot: string, log: (msg: string) => void): Promise<Broker> {
  let broker: Broker;
  const given = process.env.KAFKA_BROKERS;
  if (given) {
    // BENCH_KAFKA_PID: that broker's JVM, so its CPU and RSS show up in the tables too.
    const pid = Number(process.env.BENCH_KAFKA_PID) || undefined;
    log(`Kafka: ${given} (KAFKA_BROKERS)${pid ? `, broker pid ${pid}` : ''}`);
    broker = { brokers: given, pid, stop: async () => {} };
  } else {
    // Not bundled: kafka.mjs finds its pom.xml and cache beside itself.
    const kafkaModule = pathToFileURL(join(repoRoot, 'tools/kafka/kafka.mjs')).href;
    const { startKafka } = (await import(kafkaModule)) as {
      startKafka(opts: { dataDir: string; fresh: boolean }): Promise<KafkaHandle>;
    };
    const dataDir = join(tmpdir(), `threadcast-bench-kafka-${process.pid}`);
    log('Kafka: starting a throwaway broker (tools/kafka)...');
    const k = await startKafka({ dataDir, fresh: true });
    broker = {
      brokers: k.brokers,
      pid: k.pid,
      async stop() {
        await k.stop();
        rmSync(dataDir, { recursive: true, force: true });
      },
    };
  }
  try {
    await startApp(repoRoot, 'topics', { KAFKA_BROKERS: broker.brokers });
  } catch (e) {
    await broker.stop();
    throw e;
  }
  return broker;
}
