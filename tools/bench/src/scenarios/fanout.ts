/**
 * fanout: one gateway process, S sockets over C channels, events produced to `deliveries` on
 * the broker (at a rate or flat out) and counted at the clients. Then, in the same run, the same
 * sockets and events against the naive ws baseline, which reads `deliveries` the same way, and
 * with `--peer centrifugo` against Centrifugo, which reads the same events from a topic of the
 * same shape with its Kafka consumer and speaks its own protocol to the same receivers.
 */
import { join } from 'node:path';
import { waitForArrivals } from '../arrivals';
import type { RunContext, ScenarioResult } from '../context';
import { startCpuWindow, type CpuWindow } from '../cpu-window';
import type { ClientImpl } from '../loadgen/client-socket';
import { startFleet, type Fleet } from '../fleet';
import { latencySummary } from '../histogram';
import { asServerUnderTest, startCentrifugo } from '../centrifugo/server';
import { startWorker, type Worker } from '../ipc';
import type { InjectArgs, InjectResult } from '../loadgen/injector-protocol';
import { generatorWarnings, machineWarnings } from '../report';
import { profileTables, summarizeProfile, type ProfileSummary } from '../cpu-profile';
import { profileFile } from '../profile-file';
import { probeFlags, probeOf, type LoopStats } from '../probe-client';
import { baseEnv, startGatewayUnderTest } from '../services';
import { countSyscalls, syscallCountingProblem, type SyscallCounts } from '../syscall-count';
import type { Cell, Table } from '../table';
import type { ServerUnderTest as Server } from '../server-under-test';

interface ServerUnderTest extends Server {
  /** Where its events are injected, when not `deliveries`. */
  sink?: InjectArgs['sink'];
}

export interface FanoutPhase {
  server: string;
  sockets: number;
  subscribed: number;
  connectFailures: Record<string, number>;
  events: number;
  /** Deliveries the clients should have had over the phase (warm-up included), and had. */
  expected: number;
  arrived: number;
  lost: number;
  duplicates: number;
  outOfOrder: number;
  closedByServer: Record<string, number>;
  /** The measured window: first injection to last arrival. */
  deliveries: number;
  seconds: number;
  deliveriesPerSecond: number;
  bytesPerSecond: number;
  serverCpuSeconds: number;
  /** Of which in the kernel. */
  serverSystemSeconds: number;
  deliveriesPerCpuSecond: number;
  serverCores: number;
  serverRssAfterGc: number;
  injectedPerSecond: number;
  /** At a rate: events the injector was behind schedule at worst, beyond 100 ms worth (else 0). */
  injectorBehind: number;
  latencyMs: ReturnType<typeof latencySummary>;
  /** The server's event-loop delay and GC pauses over the measured window. */
  loop: LoopStats | undefined;
  cpu: CpuWindow;
  generators: { name: string; cpu: number; wall: number; elu: number; rss: number }[];
  /** With --profile: the server's CPU profile over the measured window. */
  profile?: ProfileSummary;
  /** With --syscalls: the server's syscalls over the measured window. */
  syscalls?: SyscallCounts;
}

export async function runFanout(ctx: RunContext): Promise<ScenarioResult> {
  const v = ctx.values;
  const sockets = v.sockets as number;
  const channelCount = v.channels as number;
  const events = v.events as number;
  const rate = v.rate as number;
  const fault = v.fault as string | undefined;
  const channels = Array.from({ length: channelCount }, (_, c) => `thread:b${ctx.runId}-${c}`);
  const assign = Array.from({ length: sockets }, (_, i) => i % channelCount);
  const warnings: string[] = [];
  const onRetry = (why: string) => {
    ctx.log(why);
    warnings.push(why);
  };
  let countSys = v.syscalls === true;
  const sysProblem = countSys ? syscallCountingProblem() : undefined;
  if (sysProblem) {
    warnings.push(`--syscalls: ${sysProblem}; no syscall counts`);
    countSys = false;
  }

  const fleet = startFleet(ctx.distDir, v.clients as number, v['client-impl'] as ClientImpl);
  const injector = startWorker('injector', join(ctx.distDir, 'injector.js'), baseEnv());
  const phases: FanoutPhase[] = [];
  let settings: [string, string][] | undefined;
  try {
    await injector.call('connect', { brokers: ctx.broker.brokers, channels: channelCount });

    const gateway: ServerUnderTest = await startGatewayUnderTest(ctx.repoRoot, ctx.broker.brokers, onRetry);
    try {
      phases.push(
        await phase(ctx, gateway, fleet, injector, { channels, assign, events, rate, fault, countSys }),
      );
    } finally {
      await fleet.close();
      await gateway.stop();
    }

    if (v.baseline && !fault) {
      const naiveWorker = startWorker(
        'naive-ws',
        join(ctx.distDir, 'naive-server.js'),
        baseEnv(),
        probeFlags(ctx.repoRoot),
      );
      const { port } = await naiveWorker.call<{ port: number }>('start', {
        brokers: ctx.broker.brokers,
        port: 0,
      });
      const naive: ServerUnderTest = {
        label: 'naive ws',
        url: `ws://127.0.0.1:${port}/ws`,
        pid: naiveWorker.pid,
        probe: probeOf(naiveWorker.child, 'naive ws'),
        profilable: true,
        kill: () => naiveWorker.child.kill('SIGKILL'),
        stop: () => naiveWorker.stop(),
      };
      await injector.call('restart');
      try {
        phases.push(await phase(ctx, naive, fleet, injector, { channels, assign, events, rate, countSys }));
      } finally {
        await fleet.close();
        await naive.stop();
      }
    }
    if (v.peer === 'centrifugo' && !fault) {
      const cf = await startCentrifugo({
        repoRoot: ctx.repoRoot,
        brokers: ctx.broker.brokers,
        runId: ctx.runId,
        log: ctx.log,
      });
      settings = cf.settings;
      const centrifugo: ServerUnderTest = {
        ...asServerUnderTest(cf),
        sink: { topic: cf.topic, format: 'centrifugo' },
      };
      await injector.call('restart');
      try {
        phases.push(
          await phase(ctx, centrifugo, fleet, injector, { channels, assign, events, rate, countSys }),
        );
      } finally {
        await fleet.close();
        await centrifugo.stop();
      }
    }
    await injector.call('disconnect');
  } finally {
    await injector.stop();
    await fleet.stop();
  }

  for (const p of phases) {
    warnings.push(...machineWarnings(p.server, p.cpu));
    for (const g of p.generators) {
      // Flat out, the injector is done long before the server is: only one that kept the
      // clients waiting (its injecting took most of the window) can have been the limit.
      if (g.name === 'injector' && g.wall < 0.5 * p.seconds) continue;
      warnings.push(...generatorWarnings(`${g.name} (${p.server} phase)`, g));
    }
    if (p.injectorBehind > 0) {
      warnings.push(
        `INJECTOR BEHIND (${p.server} phase): it fell ${p.injectorBehind} events behind its schedule; the rate was not held`,
      );
    }
  }
  const gwPhase = phases.find((p) => p.server === 'gateway');
  const perCpuRatio = (other: string) => {
    const o = phases.find((p) => p.server === other);
    return gwPhase && o && o.deliveriesPerCpuSecond > 0
      ? gwPhase.deliveriesPerCpuSecond / o.deliveriesPerCpuSecond
      : null;
  };
  const ratio = perCpuRatio('naive ws');
  const centrifugoRatio = perCpuRatio('centrifugo');
  const profiles = phases.flatMap((p) =>
    p.profile ? profileTables(p.profile, `${p.server} CPU profile`) : [],
  );
  return {
    tables: [
      fanoutTable(ctx, phases, ratio, centrifugoRatio),
      processTable(phases),
      ...(settings ? [settingsTable(settings)] : []),
      ...profiles,
    ],
    results: {
      phases,
      ratioPerCpuSecond: ratio,
      ...(settings ? { centrifugo: { ratioPerCpuSecond: centrifugoRatio, settings } } : {}),
    },
    load: Object.fromEntries(phases.map((p) => [`${p.server} phase`, p.cpu])),
    warnings,
    lost: phases.reduce((a, p) => a + p.lost, 0),
  };
}

async function phase(
  ctx: RunContext,
  server: ServerUnderTest,
  fleet: Fleet,
  injector: Worker,
  o: {
    channels: string[];
    assign: number[];
    events: number;
    rate: number;
    fault?: string;
    countSys: boolean;
  },
): Promise<FanoutPhase> {
  const v = ctx.values;
  const drainMs = v['drain-ms'] as number;
  const sockets = o.assign.length;
  ctx.log(
    `${server.label}: connecting ${sockets.toLocaleString('en-US')} sockets over ${o.channels.length} channels...`,
  );
  const opened = await fleet.open({
    url: server.url,
    ...(server.protocol ? { protocol: server.protocol } : {}),
    ...(server.hmacSecret ? { hmacSecret: server.hmacSecret } : {}),
    channels: o.channels,
    assign: o.assign,
    rate: 0,
    concurrency: v.concurrency as number,
    timeoutMs: 60_000,
  });
  if (opened.subscribed < sockets) {
    ctx.log(
      `${server.label}: only ${opened.subscribed} of ${sockets} sockets subscribed: ${JSON.stringify(opened.failures)}`,
    );
  }

  // Warm-up: one event per channel, so every partition is being read and every path is hot.
  ctx.log(`${server.label}: warm-up (one event per channel)...`);
  const warm = await injector.call<InjectResult>('inject', {
    channels: o.channels,
    events: o.channels.length,
    rate: 0,
    frameBytes: v['event-bytes'] as number,
    ...(server.sink ? { sink: server.sink } : {}),
  } satisfies InjectArgs);
  await waitForArrivals(fleet, countExpected(o.assign, warm.perChannel), drainMs, ctx.log);

  await fleet.reset();
  const profiling = v.profile === true && server.profilable;
  if (profiling) await server.probe.profileStart();
  const serverBefore = await server.probe.usage();
  await server.probe.loopStart();
  const sys = o.countSys ? countSyscalls(server.pid) : undefined;
  const window = startCpuWindow([
    { name: server.label, pid: server.pid },
    { name: 'kafka broker', pid: ctx.broker.pid },
    { name: 'injector', pid: injector.pid },
    ...fleet.workers.map((w) => ({ name: w.name, pid: w.pid })),
  ]);
  ctx.log(
    `${server.label}: injecting ${o.events.toLocaleString('en-US')} events ${o.rate > 0 ? `at ${o.rate}/s` : 'flat out'}...`,
  );
  if (o.fault === 'kill-gateway') {
    injector.onEvent((event) => {
      if (event !== 'injected') return;
      ctx.log(`fault: killing the ${server.label} (SIGKILL) halfway through`);
      server.kill();
    });
  }
  const inj = await injector.call<InjectResult>('inject', {
    channels: o.channels,
    events: o.events,
    rate: o.rate,
    frameBytes: v['event-bytes'] as number,
    ...(server.sink ? { sink: server.sink } : {}),
    ...(o.fault ? { notifyAt: Math.floor(o.events / 2) } : {}),
  } satisfies InjectArgs);
  if (inj.failed > 0) ctx.log(`injector: ${inj.failed} records not acknowledged: ${inj.errors.join('; ')}`);
  const expectedTotal = countExpected(o.assign, inj.perChannel);
  await waitForArrivals(fleet, expectedTotal, drainMs, ctx.log);
  const serverAfter = await server.probe.usage();
  const loop = await server.probe.loopStop();
  const cpu = window.end();
  const syscalls = await sys?.stop();
  let profile: ProfileSummary | undefined;
  if (profiling && !o.fault) {
    const file = profileFile(
      v['profile-dir'] as string,
      `${ctx.runId}-fanout-${server.label.replace(/\W+/g, '-')}`,
    );
    profile = summarizeProfile(await server.probe.profileStop(file));
    ctx.log(`${server.label}: CPU profile of the measured window: ${file}`);
  }
  const st = await fleet.stats({ expected: inj.perChannel });
  const memory = await server.probe.usage(true).catch(() => serverAfter);

  const seconds = Math.max(1e-6, (st.lastArrival - inj.firstT) / 1e6);
  const serverCpuSeconds = serverAfter.cpu - serverBefore.cpu;
  const serverSystemSeconds = serverAfter.system - serverBefore.system;
  const lost = st.expected - st.expectedArrived;
  if (lost > 0) {
    ctx.log(
      `${server.label}: LOST ${lost.toLocaleString('en-US')} deliveries (${st.socketsShort} sockets short; closed by server: ${JSON.stringify(st.closedByServer)})`,
    );
  }
  return {
    server: server.label,
    sockets,
    subscribed: opened.subscribed,
    connectFailures: opened.failures,
    events: inj.acked,
    expected: st.expected,
    arrived: st.expectedArrived,
    lost,
    duplicates: st.duplicates,
    outOfOrder: st.outOfOrder,
    closedByServer: st.closedByServer,
    deliveries: st.windowArrived,
    seconds,
    deliveriesPerSecond: st.windowArrived / seconds,
    bytesPerSecond: st.windowBytes / seconds,
    serverCpuSeconds,
    serverSystemSeconds,
    deliveriesPerCpuSecond: serverCpuSeconds > 0 ? st.windowArrived / serverCpuSeconds : 0,
    serverCores: serverCpuSeconds / cpu.wall,
    serverRssAfterGc: memory.rss,
    injectedPerSecond: inj.lastT > inj.firstT ? inj.made / ((inj.lastT - inj.firstT) / 1e6) : inj.made,
    injectorBehind: o.rate > 0 && inj.maxBehind > o.rate * 0.1 ? inj.maxBehind : 0,
    latencyMs: latencySummary(st.latency),
    loop,
    cpu,
    generators: [
      { name: 'injector', ...inj.usage },
      ...st.perClient.map((c, k) => ({ name: fleet.workers[k]!.name, ...c.usage })),
    ],
    ...(profile ? { profile } : {}),
    ...(syscalls ? { syscalls } : {}),
  };
}

/** Deliveries due: for each socket, the events sent on its channel. */
function countExpected(assign: number[], perChannel: number[]): number {
  let n = 0;
  for (const c of assign) n += perChannel[c] ?? 0;
  return n;
}

function fanoutTable(
  ctx: RunContext,
  phases: FanoutPhase[],
  ratio: number | null,
  centrifugoRatio: number | null,
): Table {
  const v = ctx.values;
  const row = (label: string, f: (p: FanoutPhase) => Cell): Cell[] => [label, ...phases.map(f)];
  const r1 = (x: number) => Math.round(x);
  const rows: Cell[][] = [
    row('sockets subscribed', (p) => p.subscribed),
    row('events injected (measured)', (p) => p.events),
    row('injected events/s', (p) => r1(p.injectedPerSecond)),
    row('deliveries expected (with warm-up)', (p) => p.expected),
    row('deliveries arrived', (p) => p.arrived),
    row('LOST', (p) => p.lost),
    row('duplicates', (p) => p.duplicates),
    row('out of order', (p) => p.outOfOrder),
    row('window s (first injection -> last arrival)', (p) => Math.round(p.seconds * 1000) / 1000),
    row('deliveries/s', (p) => r1(p.deliveriesPerSecond)),
    row('MB/s to clients (payload)', (p) => Math.round(p.bytesPerSecond / 1e4) / 100),
    row('server CPU s', (p) => Math.round(p.serverCpuSeconds * 1000) / 1000),
    row('of which in the kernel (system) %', (p) =>
      p.serverCpuSeconds > 0 ? Math.round((p.serverSystemSeconds / p.serverCpuSeconds) * 100) : null,
    ),
    row('deliveries per server CPU-second', (p) => r1(p.deliveriesPerCpuSecond)),
    row('latency p50 ms (injection -> receipt)', (p) => p.latencyMs.p50),
    row('latency p99 ms', (p) => p.latencyMs.p99),
    row('latency max ms', (p) => p.latencyMs.max),
    row('server event-loop delay p99 ms', (p) => (p.loop ? Math.round(p.loop.delayP99Ms * 10) / 10 : null)),
    row('server event-loop delay max ms', (p) => (p.loop ? Math.round(p.loop.delayMaxMs * 10) / 10 : null)),
    row('server GC pauses (count)', (p) => p.loop?.gcCount ?? null),
    row('server GC pause total ms', (p) => (p.loop ? Math.round(p.loop.gcTotalMs * 10) / 10 : null)),
    row('server GC pause max ms', (p) => (p.loop ? Math.round(p.loop.gcMaxMs * 10) / 10 : null)),
    row('server RSS after GC MB', (p) => Math.round(p.serverRssAfterGc / 1e5) / 10),
  ];
  if (phases.some((p) => p.syscalls)) {
    const sc = (f: (c: SyscallCounts, p: FanoutPhase) => number) => (p: FanoutPhase) =>
      p.syscalls ? f(p.syscalls, p) : null;
    rows.push(
      row(
        'server syscalls (all)',
        sc((c) => c.all),
      ),
      row(
        'server write + writev syscalls',
        sc((c) => c.write + c.writev),
      ),
      row(
        'deliveries per write syscall',
        sc((c, p) => Math.round((p.deliveries / Math.max(1, c.write + c.writev)) * 100) / 100),
      ),
      row(
        'server epoll_pwait (loop turns)',
        sc((c) => c.epoll),
      ),
      row(
        'server read syscalls',
        sc((c) => c.read),
      ),
    );
  }
  // A ratio under the gateway's column, the other columns empty.
  const ratioRow = (label: string, x: number) => [
    label,
    ...phases.map((p) => (p.server === 'gateway' ? Math.round(x * 100) / 100 : null)),
  ];
  if (ratio !== null) rows.push(ratioRow('gateway / naive (deliveries per CPU-second)', ratio));
  if (centrifugoRatio !== null)
    rows.push(ratioRow('gateway / centrifugo (deliveries per CPU-second)', centrifugoRatio));
  return {
    title:
      `fanout: ${(v.sockets as number).toLocaleString('en-US')} sockets over ${v.channels} channels, ` +
      `${(v.events as number).toLocaleString('en-US')} events of ~${v['event-bytes']} B ${(v.rate as number) > 0 ? `at ${v.rate}/s` : 'flat out'}, ` +
      `${v.clients} ${v['client-impl']} client processes`,
    columns: ['figure', ...phases.map((p) => p.server)],
    rows,
  };
}

function processTable(phases: FanoutPhase[]): Table {
  const rows: Cell[][] = [];
  for (const p of phases) {
    for (const proc of p.cpu.processes) {
      const gen = p.generators.find((g) => g.name === proc.name);
      rows.push([
        p.server,
        proc.name,
        Math.round(proc.cores * 100) / 100,
        Math.round(proc.cpu * 100) / 100,
        Math.round(proc.rss / 1e5) / 10,
        gen ? Math.round(gen.elu * 100) : null,
      ]);
    }
  }
  return {
    title:
      'processes over the measured window (kernel accounting; event loop busy % as the load generators report it)',
    columns: ['phase', 'process', 'cores', 'CPU s', 'RSS MB', 'event loop %'],
    rows,
  };
}

export function settingsTable(settings: [string, string][]): Table {
  return { title: 'centrifugo settings used', columns: ['setting', 'value'], rows: settings };
}
