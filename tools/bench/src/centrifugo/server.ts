/**
 * Centrifugo as a server under test: built once (tools/centrifugo), started with the bench's
 * config (config.ts) on a free loopback port, reading its own topic of the run, shaped like
 * `deliveries` (same partition count), which this creates. Its usage comes from the kernel
 * (/proc) and, for memory after GC, from Go's pprof endpoint (`heap?gc=1` runs a full GC first):
 * there is no probe inside it, and no V8 profile.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { TOPICS } from '@threadcast/contracts';
import { createTopicsAndWait } from '@threadcast/kafka';
import { benchKafka } from '../kafka-client';
import type { Probe, ServerUsage } from '../probe-client';
import { processCpuTimes, processMemory } from '../proc-stats';
import { freePort } from '../services';
import { centrifugoConfig, centrifugoSettings, type CentrifugoSetup } from './config';

const READY_TIMEOUT_MS = 60_000;

export interface CentrifugoServer {
  url: string;
  pid: number;
  /** The topic to inject its events into. */
  topic: string;
  hmacSecret: string;
  probe: Probe;
  /** What the run used (config.ts), for the report. */
  settings: [string, string][];
  kill(): void;
  stop(): Promise<void>;
}

interface CentrifugoModule {
  CENTRIFUGO_VERSION: string;
  ensureCentrifugo(opts: { log: (msg: string) => void }): Promise<string>;
}

/** Go's runtime.MemStats line in a `debug=1` heap profile, e.g. `# HeapAlloc = 123456`. */
export function memStat(profile: string, name: string): number | undefined {
  const m = new RegExp(`^# ${name} = (\\d+)$`, 'm').exec(profile);
  return m ? Number(m[1]) : undefined;
}

async function createTopicLikeDeliveries(brokers: string, topic: string): Promise<void> {
  const { kafka } = benchKafka(brokers, 'threadcast-bench-centrifugo-topic');
  const admin = kafka.admin();
  await admin.connect();
  try {
    const meta = await admin.fetchTopicMetadata({ topics: [TOPICS.deliveries] });
    const partitions = meta.topics[0]?.partitions.length ?? 1;
    await createTopicsAndWait(admin, {
      topics: [{ topic, numPartitions: partitions, replicationFactor: 1 }],
    });
  } finally {
    await admin.disconnect();
  }
}

export async function startCentrifugo(o: {
  repoRoot: string;
  brokers: string;
  runId: string;
  log(msg: string): void;
}): Promise<CentrifugoServer> {
  const mod = (await import(
    pathToFileURL(join(o.repoRoot, 'tools/centrifugo/centrifugo.mjs')).href
  )) as CentrifugoModule;
  const bin = await mod.ensureCentrifugo({ log: (m) => o.log(`centrifugo: ${m}`) });
  const setup: CentrifugoSetup = {
    port: await freePort(),
    brokers: o.brokers.split(','),
    topic: `bench.centrifugo.${o.runId}`,
    consumerGroup: `threadcast-bench-centrifugo-${o.runId}`,
    hmacSecret: randomBytes(24).toString('base64url'),
  };
  await createTopicLikeDeliveries(o.brokers, setup.topic);
  const dir = mkdtempSync(join(tmpdir(), 'threadcast-bench-centrifugo-'));
  const configFile = join(dir, 'config.json');
  writeFileSync(configFile, JSON.stringify(centrifugoConfig(setup), null, 2));
  const child = spawn(bin, ['--config', configFile], { stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: string[] = [];
  const keep = (d: Buffer) => {
    lines.push(...d.toString().split('\n').filter(Boolean));
    if (lines.length > 200) lines.splice(0, lines.length - 200);
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  const gone = () => child.exitCode !== null || child.signalCode !== null;
  const base = `http://127.0.0.1:${setup.port}`;
  const pid = child.pid!;

  const usage = async (gc = false): Promise<ServerUsage> => {
    let heapUsed = 0;
    if (gc && !gone()) {
      const res = await fetch(`${base}/debug/pprof/heap?gc=1&debug=1`);
      heapUsed = memStat(await res.text(), 'HeapAlloc') ?? 0;
    }
    const cpu = processCpuTimes(pid) ?? { user: 0, system: 0 };
    return { cpu: cpu.user + cpu.system, system: cpu.system, rss: processMemory(pid)?.rss ?? 0, heapUsed };
  };
  const noProfile = () => Promise.reject(new Error('Centrifugo: no V8 profile (a Go process)'));
  const server: CentrifugoServer = {
    url: `ws://127.0.0.1:${setup.port}/connection/websocket`,
    pid,
    topic: setup.topic,
    hmacSecret: setup.hmacSecret,
    // A Go process: no Node event loop or V8 GC to report.
    probe: {
      usage,
      profileStart: noProfile,
      profileStop: noProfile,
      loopStart: () => Promise.resolve(),
      loopStop: () => Promise.resolve(undefined),
    },
    settings: centrifugoSettings(mod.CENTRIFUGO_VERSION, setup),
    kill() {
      if (!gone()) child.kill('SIGKILL');
    },
    async stop() {
      if (!gone()) {
        const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
        child.kill('SIGTERM');
        await exited;
        clearTimeout(timer);
      }
      rmSync(dir, { recursive: true, force: true });
      // Its log level is warn: whatever it printed is worth a look, but for the pprof notice
      // (on purpose: config.ts).
      const said = lines.filter((l) => !l.includes('DEBUG mode enabled'));
      if (said.length > 0) o.log(`centrifugo logged (last lines):\n${said.slice(-10).join('\n')}`);
    },
  };

  const deadline = Date.now() + READY_TIMEOUT_MS;
  for (;;) {
    if (gone()) {
      rmSync(dir, { recursive: true, force: true });
      throw new Error(
        `Centrifugo exited (${child.exitCode ?? child.signalCode}) before it was ready:\n${lines.join('\n')}`,
      );
    }
    try {
      if ((await fetch(`${base}/health`)).status === 200) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await server.stop();
      throw new Error(`Centrifugo not ready after ${READY_TIMEOUT_MS / 1000} s:\n${lines.join('\n')}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  o.log(`centrifugo ${mod.CENTRIFUGO_VERSION} ready on ${base} (pid ${pid}), reading ${setup.topic}`);
  return server;
}

/** Centrifugo as a scenario's server under test: the fields fanout and connect both use. */
export function asServerUnderTest(cf: CentrifugoServer) {
  return {
    label: 'centrifugo',
    url: cf.url,
    pid: cf.pid,
    probe: cf.probe,
    profilable: false,
    protocol: 'centrifugo' as const,
    hmacSecret: cf.hmacSecret,
    kill: () => cf.kill(),
    stop: () => cf.stop(),
  };
}
