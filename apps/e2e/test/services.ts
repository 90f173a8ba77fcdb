import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, isReady as opsReady, servicePorts, waitForReady } from '@threadcast/test-support';

const root = join(__dirname, '..', '..', '..');

export type ServiceName = 'ingest' | 'enrich' | 'route' | 'gateway';

export interface RunningService {
  name: ServiceName;
  child: ChildProcess;
  opsPort: number;
  /** Client port (ingest HTTP, gateway WebSocket); 0 for the others. */
  port: number;
  output: string[];
  /** The environment it was started with (besides the ports), so it can be started again. */
  env: Record<string, string>;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

export { freePort };

export function brokers(): string {
  const b = process.env.KAFKA_BROKERS;
  if (!b) throw new Error('KAFKA_BROKERS is not set: run through the integration jest config');
  return b;
}

/** Runs a built app (apps/<name>/dist/main.js) as its own process, as `npm start` does. */
export function runApp(name: string, env: Record<string, string>): ChildProcess {
  return spawn(process.execPath, [join(root, 'apps', name, 'dist', 'main.js')], {
    // The broker's minimum session timeout: a killed stage's partitions move on after 6 s, not
    // the production default's 30 s, which the chaos tests would otherwise wait out each time.
    env: {
      ...process.env,
      KAFKA_BROKERS: brokers(),
      LOG_LEVEL: 'warn',
      KAFKA_SESSION_TIMEOUT_MS: '6000',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

export async function provisionTopics(env: Record<string, string> = {}): Promise<void> {
  const child = runApp('topics', env);
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const code = await new Promise<number | null>((r) => child.on('exit', r));
  if (code !== 0) throw new Error(`topic provisioning failed (${code}):\n${out}`);
}

export async function startService(
  name: ServiceName,
  env: Record<string, string> = {},
  ports: { opsPort?: number; port?: number; wait?: boolean; retried?: boolean } = {},
): Promise<RunningService> {
  // Each stage process its own state directory, kept across restartService (a pod's volume).
  if ((name === 'enrich' || name === 'route') && env.STATE_DIR === undefined) {
    env = { ...env, STATE_DIR: mkdtempSync(join(tmpdir(), `threadcast-${name}-state-`)) };
  }
  const { opsPort, port, env: portEnv } = await servicePorts(name, ports);
  const child = runApp(name, { ...portEnv, ...env });
  const output: string[] = [];
  child.stdout!.on('data', (d: Buffer) => output.push(d.toString()));
  child.stderr!.on('data', (d: Buffer) => output.push(d.toString()));
  const svc: RunningService = {
    name,
    child,
    opsPort,
    port,
    output,
    env,
    stop(signal = 'SIGTERM') {
      if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode);
      return new Promise((resolve) => {
        child.once('exit', (code) => resolve(code));
        child.kill(signal);
      });
    },
  };
  if (ports.wait !== false) {
    try {
      await waitReady(svc);
    } catch (e) {
      await svc.stop('SIGKILL');
      // A port freePort chose can be taken by another process (an outgoing connection's local
      // port) before the service binds it: ports it chose itself are chosen again, once.
      const chosenHere = ports.opsPort === undefined && ports.port === undefined;
      if (chosenHere && !ports.retried && output.join('').includes('EADDRINUSE')) {
        return startService(name, env, { ...ports, retried: true });
      }
      throw e;
    }
  }
  return svc;
}

/**
 * Starts a stopped (or killed) service again as a new process on the same ports with the same
 * environment, as a restarted pod behind the same Service would be. Waits for readiness unless
 * `wait` is false.
 */
export function restartService(svc: RunningService, opts: { wait?: boolean } = {}): Promise<RunningService> {
  if (svc.child.exitCode === null && svc.child.signalCode === null) {
    throw new Error(`${svc.name} (pid ${svc.child.pid}) is still running; stop it first`);
  }
  return startService(svc.name, svc.env, { opsPort: svc.opsPort, port: svc.port, wait: opts.wait });
}

/** The service's /readyz answer right now: true for 200, false for anything else or no answer. */
export const isReady = (svc: RunningService): Promise<boolean> => opsReady(svc.opsPort);

export function waitReady(svc: RunningService, timeoutMs = 60_000): Promise<void> {
  return waitForReady({
    name: svc.name,
    opsPort: svc.opsPort,
    child: svc.child,
    output: () => svc.output.join(''),
    timeoutMs,
  });
}

/**
 * The four stages with fresh consumer groups, so a run never shares offsets with another.
 * `env.all` goes to every service (and to topic provisioning), e.g. the KAFKA_BROKERS of a
 * broker the test runs itself.
 */
export async function startPipeline(env: Partial<Record<ServiceName | 'all', Record<string, string>>> = {}) {
  await provisionTopics(env.all);
  const run = Math.random().toString(36).slice(2, 8);
  const groups = { enrich: `e2e-enrich-${run}`, route: `e2e-route-${run}` };
  const started = await Promise.allSettled([
    startService('ingest', {
      // Tests post without API keys; a test that sets INGEST_API_KEYS gets keys checked anyway.
      INGEST_ALLOW_ANONYMOUS: 'true',
      INGEST_RATE_PER_AUTHOR: '100000',
      INGEST_BURST_PER_AUTHOR: '100000',
      ...env.all,
      ...env.ingest,
    }),
    startService('enrich', { ENRICH_GROUP_ID: groups.enrich, ...env.all, ...env.enrich }),
    startService('route', { ROUTE_GROUP_ID: groups.route, ...env.all, ...env.route }),
    startService('gateway', { ...env.all, ...env.gateway }),
  ]);
  // One that fails to start must not leave the others running after the test.
  const failed = started.find((r) => r.status === 'rejected');
  if (failed) {
    await Promise.all(started.map((r) => (r.status === 'fulfilled' ? r.value.stop('SIGKILL') : null)));
    throw failed.reason;
  }
  const [ingest, enrich, route, gateway] = started.map(
    (r) => (r as PromiseFulfilledResult<RunningService>).value,
  );
  const pipeline = {
    groups,
    ingest: ingest!,
    enrich: enrich!,
    route: route!,
    gateway: gateway!,
    ingestUrl: `http://127.0.0.1:${ingest!.port}`,
    gatewayUrl: `ws://127.0.0.1:${gateway!.port}/ws`,
    /** Stops the services it holds now (a test may have put restarted ones in their place). */
    async stop() {
      const { ingest, enrich, route, gateway } = pipeline;
      await Promise.all([ingest, enrich, route, gateway].map((s) => s.stop()));
    },
  };
  return pipeline;
}

/** A metric's samples on a running service's /metrics, summed over label sets; 0 when absent. */
export async function metricSum(svc: RunningService, name: string): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${svc.opsPort}/metrics`)).text();
  let sum = 0;
  for (const line of text.split('\n')) {
    if (line.startsWith(`${name} `) || line.startsWith(`${name}{`)) {
      sum += Number(line.slice(line.lastIndexOf(' ') + 1));
    }
  }
  return sum;
}
