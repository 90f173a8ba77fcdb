import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startKafkaCli, type KafkaCliProcess } from './kafka-cli';
import { freePort } from './services';

/**
 * A broker of the test's own, separate from the run's shared one, so that the test can take it
 * away: `tools/kafka/cli.mjs start` (kafka.mjs' startKafka behind it) on a fixed port and a fresh
 * data folder of its own, so a start after a kill is the same broker with the same data.
 */
export interface OwnBroker {
  readonly brokers: string;
  /** SIGKILLs the broker's JVM, as a crash would. */
  kill(): Promise<void>;
  /** Starts it again on the same port and data; resolves once it serves metadata. */
  start(): Promise<void>;
  /** Stops it for good (SIGTERM, then SIGKILL). */
  stop(): Promise<void>;
  readonly log: string[];
}

export async function ownBroker(): Promise<OwnBroker> {
  const dataDir = mkdtempSync(join(tmpdir(), 'threadcast-chaos-kafka-'));
  const port = await freePort();
  const log: string[] = [];
  let cli: ChildProcess | undefined;
  let jvmPid: number | undefined;

  let node: KafkaCliProcess | undefined;
  const start = async () => {
    node = startKafkaCli(['--port', String(port), '--data', dataDir], log);
    cli = node.child;
    await node.ready;
    jvmPid = node.jvmPid();
  };

  const exited = (child: ChildProcess | undefined) =>
    new Promise<void>((resolve) => {
      if (!child || child.exitCode !== null || child.signalCode !== null) return resolve();
      child.once('exit', () => resolve());
    });

  await start();
  return {
    brokers: `127.0.0.1:${port}`,
    log,
    async kill() {
      if (jvmPid === undefined) throw new Error('no broker pid seen');
      const done = exited(cli);
      process.kill(jvmPid, 'SIGKILL');
      jvmPid = undefined;
      await done;
    },
    start,
    async stop() {
      const done = exited(cli);
      cli?.kill('SIGTERM');
      const timer = setTimeout(() => jvmPid !== undefined && process.kill(jvmPid, 'SIGKILL'), 20_000);
      await done;
      clearTimeout(timer);
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
