import type { ChildProcess } from 'node:child_process';
import { freePort } from './free-port';
import { sleep } from './wait-until';

/** The threadcast services a test or the bench runs as processes (apps/<name>/dist/main.js). */
export type AppName = 'ingest' | 'enrich' | 'route' | 'gateway' | 'topics';

export interface ServicePorts {
  /** /healthz, /readyz, /metrics. */
  opsPort: number;
  /** The client port (ingest's HTTP, the gateway's WebSocket); 0 for the others. */
  port: number;
  /** The environment that gives the service those ports. */
  env: Record<string, string>;
}

/** Free ports for a service (or the ones given: a restarted pod keeps its own), and their env. */
export async function servicePorts(
  name: AppName,
  given: { opsPort?: number; port?: number } = {},
): Promise<ServicePorts> {
  const opsPort = given.opsPort ?? (await freePort());
  const port = name === 'ingest' || name === 'gateway' ? (given.port ?? (await freePort())) : 0;
  const env: Record<string, string> = { OPS_PORT: String(opsPort) };
  if (name === 'ingest') env.INGEST_PORT = String(port);
  if (name === 'gateway') env.GATEWAY_PORT = String(port);
  return { opsPort, port, env };
}

/** The service's /readyz answer right now: true for 200, false for anything else or no answer. */
export async function isReady(opsPort: number): Promise<boolean> {
  try {
    const res = await fetch(`http://127.0.0.1:${opsPort}/readyz`, { signal: AbortSignal.timeout(2000) });
    await res.arrayBuffer();
    return res.status === 200;
  } catch {
    return false;
  }
}

/**
 * Waits until the process' /readyz says 200. Throws "<name> exited (<code>) before it was ready"
 * if it dies first, "<name> not ready after N s" at the deadline, each with its output.
 */
export async function waitForReady(opts: {
  name: string;
  opsPort: number;
  child: ChildProcess;
  output(): string;
  timeoutMs: number;
}): Promise<void> {
  const { name, child, output } = opts;
  const deadline = Date.now() + opts.timeoutMs;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(
        `${name} exited (${child.exitCode ?? child.signalCode}) before it was ready:\n${output()}`,
      );
    }
    if (await isReady(opts.opsPort)) return;
    if (Date.now() > deadline)
      throw new Error(`${name} not ready after ${opts.timeoutMs / 1000} s:\n${output()}`);
    await sleep(200);
  }
}
