/**
 * The systems under test as the runner starts them: the built apps (apps/<name>/dist/main.js),
 * each its own process on free ports, as `npm start` and the e2e suite run them. Every app is
 * started with the probe preloaded (probe.cjs): its own CPU and memory accounting, after a GC
 * when asked, and a CPU profile of the measured window.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { probeFlags, probeOf, type Probe } from './probe-client';
import { freePort, servicePorts, waitForReady, type AppName } from '@threadcast/test-support';

export type { AppName };

export interface RunningApp {
  readonly name: string;
  readonly pid: number;
  readonly child: ChildProcess;
  /** Client port (ingest HTTP, gateway WebSocket); 0 for the others. */
  readonly port: number;
  readonly opsPort: number;
  /** The process's own accounting and profiler (probe.cjs). */
  readonly probe: Probe;
  /** SIGTERM (a graceful stop), SIGKILL after `graceMs`. */
  stop(graceMs?: number): Promise<void>;
  kill(): void;
  /** The last lines it printed. */
  output(): string;
}

export { freePort };

/** Environment every process of a run gets (the repo's scripts silence the same warning). */
export function baseEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const opts = process.env.NODE_OPTIONS ?? '';
  const flag = '--disable-warning=TimeoutNegativeWarning';
  return {
    ...process.env,
    NODE_OPTIONS: opts.includes(flag) ? opts : `${opts} ${flag}`.trim(),
    LOG_LEVEL: 'warn',
    // No trace exporter in a benchmark: spans would go nowhere and their export errors to the log.
    OTEL_SDK_DISABLED: 'true',
    ...extra,
  };
}

/**
 * A benchmark drives the services from this machine: every socket comes from 127.0.0.1, far
 * over the per-address cap meant for the internet, and the load generator is not an API-key
 * holder. A run may still set these itself.
 */
const BENCH_LIMITS: Partial<Record<AppName, Record<string, string>>> = {
  gateway: { GATEWAY_MAX_SOCKETS_PER_ADDRESS: '10000000', GATEWAY_MAX_SOCKETS: '10000000' },
  ingest: { INGEST_ALLOW_ANONYMOUS: 'true' },
};

/** What a service prints when it died at start because the broker's coordinators were still loading. */
const COORDINATOR_LOADING = /coordinator is loading|group coordinator is not available/i;

/**
 * Starts an app and waits until it is ready. On a brand-new broker the group coordinator loads
 * for a moment and a service may die at start (the gateway's reader does: kafkajs restarts its
 * consumer and the pause that follows throws); that case is retried once, after `onRetry`.
 */
export async function startApp(
  repoRoot: string,
  name: AppName,
  env: Record<string, string>,
  opts: {
    nodeFlags?: string[];
    onRetry?: (why: string) => void;
    /** How long it may take to be ready (default 90 s); a stage restoring much state takes longer. */
    readyTimeoutMs?: number;
  } = {},
): Promise<RunningApp> {
  try {
    return await startAppOnce(repoRoot, name, env, opts);
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    if (!COORDINATOR_LOADING.test(message) || !message.includes('before it was ready')) throw e;
    opts.onRetry?.(
      `${name} died at start while the broker's group coordinator was loading; starting it again`,
    );
    await new Promise((r) => setTimeout(r, 2000));
    return startAppOnce(repoRoot, name, env, opts);
  }
}

async function startAppOnce(
  repoRoot: string,
  name: AppName,
  env: Record<string, string>,
  opts: { nodeFlags?: string[]; readyTimeoutMs?: number },
): Promise<RunningApp> {
  const { opsPort, port, env: portEnv } = await servicePorts(name);
  Object.assign(portEnv, BENCH_LIMITS[name]);
  // A stage's state stores (STATE_DIR, libs/store) in a directory of its own, new and removed when
  // it exits, unless the run gives one (the state scenario keeps one across restarts). Not the
  // default `.data/state`: a checkpoint left there by an earlier run, on another broker, could
  // pass for this broker's.
  let ownStateDir: string | undefined;
  if ((name === 'enrich' || name === 'route') && env.STATE_DIR === undefined) {
    ownStateDir = mkdtempSync(join(tmpdir(), `threadcast-bench-${name}-state-`));
    portEnv.STATE_DIR = ownStateDir;
  }
  const flags = [...probeFlags(repoRoot), ...(opts.nodeFlags ?? [])];
  const child = spawn(process.execPath, [...flags, join(repoRoot, 'apps', name, 'dist', 'main.js')], {
    env: baseEnv({ ...portEnv, ...env }),
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  const lines: string[] = [];
  const keep = (d: Buffer) => {
    lines.push(...d.toString().split('\n').filter(Boolean));
    if (lines.length > 200) lines.splice(0, lines.length - 200);
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  const probe = probeOf(child, name);
  const exited = new Promise<void>((r) =>
    child.once('exit', () => {
      if (ownStateDir) rmSync(ownStateDir, { recursive: true, force: true });
      r();
    }),
  );
  const app: RunningApp = {
    name,
    pid: child.pid!,
    child,
    port,
    opsPort,
    probe,
    async stop(graceMs = 15_000) {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      child.kill('SIGTERM');
      await exited;
      clearTimeout(timer);
    },
    kill() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    },
    output: () => lines.join('\n'),
  };
  await waitReady(app, name === 'topics' ? undefined : opsPort, exited, opts.readyTimeoutMs ?? 90_000);
  return app;
}

async function waitReady(
  app: RunningApp,
  opsPort: number | undefined,
  exited: Promise<void>,
  timeoutMs: number,
): Promise<void> {
  if (opsPort === undefined) {
    // A one-shot job: ready means done, and done means exit code 0.
    await exited;
    if (app.child.exitCode !== 0)
      throw new Error(`${app.name} failed (exit ${app.child.exitCode}):\n${app.output()}`);
    return;
  }
  try {
    await waitForReady({ name: app.name, opsPort, child: app.child, output: app.output, timeoutMs });
  } catch (e) {
    app.kill();
    throw e;
  }
}

/**
 * The gateway as a scenario's server under test (fanout, connect): its defaults, the socket caps
 * lifted (BENCH_LIMITS) and a short drain, with what both scenarios read of it.
 */
export async function startGatewayUnderTest(
  repoRoot: string,
  brokers: string,
  onRetry: (why: string) => void,
) {
  // Slow-socket cut-off as shipped; the rest of the limits do not bite one subscribe per socket.
  const gw = await startApp(
    repoRoot,
    'gateway',
    { KAFKA_BROKERS: brokers, GATEWAY_DRAIN_MS: '2000' },
    { onRetry },
  );
  return {
    label: 'gateway',
    url: `ws://127.0.0.1:${gw.port}/ws`,
    pid: gw.pid,
    probe: gw.probe,
    profilable: true,
    kill: () => gw.kill(),
    stop: () => gw.stop(),
  };
}
