import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';

const root = join(__dirname, '..', '..', '..');

/** One broker started by `tools/kafka/cli.mjs start ...`, as a test that takes brokers away needs it. */
export interface KafkaCliProcess {
  readonly child: ChildProcess;
  /** The broker JVM's pid, once the CLI printed it (SIGKILL it to crash the broker). */
  jvmPid(): number | undefined;
  /** Resolves with the node's address once it serves (`running: KAFKA_BROKERS=...`). */
  readonly ready: Promise<string>;
}

/** Runs the Kafka CLI with `args` (after `start`); its output goes to `log`. */
export function startKafkaCli(args: string[], log: string[], name = 'broker'): KafkaCliProcess {
  const child = spawn(process.execPath, [join(root, 'tools', 'kafka', 'cli.mjs'), 'start', ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let pid: number | undefined;
  const ready = new Promise<string>((resolve, reject) => {
    const onData = (d: Buffer) => {
      const text = d.toString();
      log.push(text);
      const p = /pid (\d+)/.exec(text);
      if (p) pid = Number(p[1]);
      const running = /running: KAFKA_BROKERS=(\S+)/.exec(text);
      if (running) resolve(running[1]!);
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) =>
      reject(new Error(`${name} exited (${code}) before it was ready:\n${log.join('')}`)),
    );
  });
  return { child, jvmPid: () => pid, ready };
}
