import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

const script = join(__dirname, '..', '..', '..', 'tools', 'kafka', 'secure-broker.mjs');

export type SecureListener = 'SSL' | 'MTLS' | 'SASL_SSL' | 'SASL_PLAINTEXT';

export interface SecureBroker {
  /** PLAINTEXT listener, for the test's own setup (topics). */
  readonly brokers: string;
  readonly listeners: Record<SecureListener, string>;
  /** The broker's private CA (tools/kafka/test-pki.mjs) and a client certificate it signed. */
  readonly pki: {
    caFile: string;
    otherCaFile: string;
    clientCertFile: string;
    clientKeyFile: string;
  };
  /** Stops the JVM (SIGTERM, then SIGKILL) and removes its data. */
  stop(): Promise<void>;
}

/**
 * A broker of the suite's own with TLS and SASL listeners, in a child process
 * (tools/kafka/secure-broker.mjs) that stops it when our end of its stdin closes: when stop() is
 * called, and also when this process dies without calling it.
 */
export async function startSecureBroker(security: {
  listeners: SecureListener[];
  scramUsers?: { name: string; password: string }[];
}): Promise<SecureBroker> {
  const dataDir = mkdtempSync(join(tmpdir(), 'threadcast-secure-kafka-'));
  const child: ChildProcess = spawn(process.execPath, [script, JSON.stringify({ dataDir, security })], {
    stdio: ['pipe', 'pipe', 'pipe'],
    env: { ...process.env, THREADCAST_KAFKA_QUIET: '1' },
  });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const ready = await new Promise<Omit<SecureBroker, 'stop'>>((resolve, reject) => {
    createInterface({ input: child.stdout! }).once('line', (line) => resolve(JSON.parse(line)));
    void exited.then(() => reject(new Error(`secure broker exited before it was ready:\n${stderr}`)));
  });
  return {
    ...ready,
    async stop() {
      child.stdin!.end();
      const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
      await exited;
      clearTimeout(timer);
    },
  };
}
