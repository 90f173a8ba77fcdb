/**
 * connect: a connection storm against one gateway. N sockets connect and subscribe (flat out,
 * within a per-client concurrency, or at a rate); reports new connections per second, connect +
 * subscribe latency, and the gateway's memory per idle socket: RSS growth over the N sockets,
 * each reading taken after full GCs inside the gateway. With `--peer centrifugo`, the same storm
 * against Centrifugo afterwards (its JSON protocol: connect with a JWT, then subscribe), in the
 * same table.
 */
import type { RunContext, ScenarioResult } from '../context';
import { startCpuWindow, type CpuWindow } from '../cpu-window';
import { asServerUnderTest, startCentrifugo } from '../centrifugo/server';
import type { ClientImpl } from '../loadgen/client-socket';
import { startFleet, type Fleet } from '../fleet';
import { latencySummary } from '../histogram';
import { generatorWarnings, machineWarnings } from '../report';
import { profileTables, summarizeProfile, type ProfileSummary } from '../cpu-profile';
import { profileFile } from '../profile-file';
import { startGatewayUnderTest } from '../services';
import { countSyscalls, syscallCountingProblem, type SyscallCounts } from '../syscall-count';
import type { Cell, Table } from '../table';
import type { ServerUnderTest } from '../server-under-test';
import { settingsTable } from './fanout';

/** Sockets opened and closed before the first memory reading, so code paths are loaded and JITed. */
const WARM_SOCKETS = 200;

type StormServer = ServerUnderTest;

interface StormFigures {
  server: string;
  attempted: number;
  subscribed: number;
  failures: Record<string, number>;
  openAfterIdle: number;
  closedByServer: Record<string, number>;
  lost: number;
  stormSeconds: number;
  connectionsPerSecond: number;
  connectLatencyMs: ReturnType<typeof latencySummary>;
  gatewayCpuSeconds: number;
  connectionsPerCpuSecond: number;
  syscalls?: SyscallCounts;
  rssBefore: number;
  rssAfter: number;
  rssPerSocket: number;
  heapPerSocket: number;
}

interface Storm {
  figures: StormFigures;
  cpu: CpuWindow;
  clientsElu: (number | null)[];
  profile?: ProfileSummary;
}

export async function runConnect(ctx: RunContext): Promise<ScenarioResult> {
  const v = ctx.values;
  const sockets = v.sockets as number;
  const channelCount = v.channels as number;
  const rate = v.rate as number;
  const warnings: string[] = [];
  const onRetry = (why: string) => {
    ctx.log(why);
    warnings.push(why);
  };
  const sysProblem = v.syscalls ? syscallCountingProblem() : undefined;
  if (sysProblem) warnings.push(`--syscalls: ${sysProblem}; no syscall counts`);

  const storms: Storm[] = [];
  let settings: [string, string][] | undefined;
  const fleet = startFleet(ctx.distDir, v.clients as number, v['client-impl'] as ClientImpl);
  try {
    const gateway: StormServer = await startGatewayUnderTest(ctx.repoRoot, ctx.broker.brokers, onRetry);
    try {
      storms.push(await storm(ctx, gateway, fleet, sysProblem, warnings));
    } finally {
      await fleet.close().catch(() => {});
      await gateway.stop();
    }
    if (v.peer === 'centrifugo' && !v.fault) {
      const cf = await startCentrifugo({
        repoRoot: ctx.repoRoot,
        brokers: ctx.broker.brokers,
        runId: ctx.runId,
        log: ctx.log,
      });
      settings = cf.settings;
      const centrifugo: StormServer = asServerUnderTest(cf);
      try {
        storms.push(await storm(ctx, centrifugo, fleet, sysProblem, warnings));
      } finally {
        await fleet.close().catch(() => {});
        await centrifugo.stop();
      }
    }
  } finally {
    await fleet.stop();
  }

  const [first] = storms;
  const lost = storms.reduce((a, s) => a + s.figures.lost, 0);
  const col = (f: (x: StormFigures) => Cell) => storms.map((s) => f(s.figures));
  const row = (label: string, f: (x: StormFigures) => Cell): Cell[] => [label, ...col(f)];
  const perConn = (f: (c: SyscallCounts) => number) => (x: StormFigures) =>
    x.syscalls ? Math.round((f(x.syscalls) / Math.max(1, x.subscribed)) * 10) / 10 : null;
  const table: Table = {
    title: `connect: ${sockets.toLocaleString('en-US')} sockets over ${channelCount} channels, ${rate > 0 ? `${rate}/s` : 'flat out'}, ${v.clients} ${v['client-impl']} client processes x ${v.concurrency} handshakes in flight`,
    columns: storms.length === 1 ? ['figure', 'value'] : ['figure', ...storms.map((s) => s.figures.server)],
    rows: [
      row('sockets subscribed', (x) => x.subscribed),
      row('failed', (x) => x.attempted - x.subscribed),
      row('closed by the server while idle', (x) => x.lost - (x.attempted - x.subscribed)),
      row('LOST', (x) => x.lost),
      row('storm s (first connect -> last subscribed)', (x) => Math.round(x.stormSeconds * 1000) / 1000),
      row('new connections (with subscribe) per second', (x) => Math.round(x.connectionsPerSecond)),
      row('connect + subscribe latency p50 ms', (x) => x.connectLatencyMs.p50),
      row('connect + subscribe latency p99 ms', (x) => x.connectLatencyMs.p99),
      row('connect + subscribe latency max ms', (x) => x.connectLatencyMs.max),
      row('server CPU s during the storm', (x) => Math.round(x.gatewayCpuSeconds * 100) / 100),
      row('connections per server CPU-second', (x) => Math.round(x.connectionsPerCpuSecond)),
      ...(storms.some((s) => s.figures.syscalls)
        ? [
            row(
              'server syscalls per connection',
              perConn((c) => c.all),
            ),
            row(
              'server write + writev per connection',
              perConn((c) => c.write + c.writev),
            ),
          ]
        : []),
      row('server RSS before MB (after GC)', (x) => Math.round(x.rssBefore / 1e5) / 10),
      row('server RSS with idle sockets MB (after GC)', (x) => Math.round(x.rssAfter / 1e5) / 10),
      row('RSS per idle socket KB', (x) => Math.round(x.rssPerSocket / 102.4) / 10),
      row('heap per idle socket KB (JS heap; Go HeapAlloc)', (x) => Math.round(x.heapPerSocket / 102.4) / 10),
    ],
  };
  const procs: Table = {
    title:
      'processes during the storm (kernel accounting; event loop busy % as the load generators report it)',
    columns: ['storm', 'process', 'cores', 'CPU s', 'RSS MB', 'event loop %'],
    rows: storms.flatMap((s) =>
      s.cpu.processes.map((p) => {
        const k = fleet.workers.findIndex((w) => w.name === p.name);
        return [
          s.figures.server,
          p.name,
          Math.round(p.cores * 100) / 100,
          Math.round(p.cpu * 100) / 100,
          Math.round(p.rss / 1e5) / 10,
          k >= 0 ? (s.clientsElu[k] ?? null) : null,
        ];
      }),
    ),
  };
  const profile = first?.profile;
  const peer = storms.find((s) => s.figures.server === 'centrifugo');
  return {
    tables: [
      table,
      procs,
      ...(settings ? [settingsTable(settings)] : []),
      ...(profile ? profileTables(profile, 'gateway CPU profile (storm)') : []),
    ],
    // The gateway's figures at the top, as before; a peer's beside them.
    results: {
      ...(first ? first.figures : {}),
      ...(profile ? { profile } : {}),
      ...(peer ? { centrifugo: { ...peer.figures, settings } } : {}),
    },
    load: Object.fromEntries(storms.map((s) => [`the ${s.figures.server} storm`, s.cpu])),
    warnings,
    lost,
  };
}

async function storm(
  ctx: RunContext,
  server: StormServer,
  fleet: Fleet,
  sysProblem: string | undefined,
  warnings: string[],
): Promise<Storm> {
  const v = ctx.values;
  const sockets = v.sockets as number;
  const rate = v.rate as number;
  const channels = Array.from({ length: v.channels as number }, (_, c) => `thread:bench-${ctx.runId}-${c}`);
  const assign = Array.from({ length: sockets }, (_, i) => i % channels.length);
  const proto = {
    ...(server.protocol ? { protocol: server.protocol } : {}),
    ...(server.hmacSecret ? { hmacSecret: server.hmacSecret } : {}),
  };
  ctx.log(`${server.label}: warm-up: ${WARM_SOCKETS} sockets open and close...`);
  await fleet.open({
    url: server.url,
    ...proto,
    channels,
    assign: assign.slice(0, WARM_SOCKETS),
    rate: 0,
    concurrency: 50,
    timeoutMs: 60_000,
  });
  await fleet.close();
  await new Promise((r) => setTimeout(r, 500));
  const before = await server.probe.usage(true);

  const profiling = v.profile === true && server.profilable;
  if (profiling) await server.probe.profileStart();
  const sys = v.syscalls && !sysProblem ? countSyscalls(server.pid) : undefined;
  const window = startCpuWindow([
    { name: server.label, pid: server.pid },
    ...fleet.workers.map((w) => ({ name: w.name, pid: w.pid })),
  ]);
  ctx.log(
    `${server.label}: storm: ${sockets.toLocaleString('en-US')} sockets ${rate > 0 ? `at ${rate}/s` : 'flat out'} (concurrency ${v.concurrency} per client)...`,
  );
  let killed = false;
  const opened = await fleet.open(
    {
      url: server.url,
      ...proto,
      channels,
      assign,
      rate,
      concurrency: v.concurrency as number,
      timeoutMs: 30_000,
    },
    (done) => {
      if (v.fault === 'kill-gateway' && !killed && done >= sockets / 2) {
        killed = true;
        ctx.log(`fault: killing the ${server.label} (SIGKILL) halfway through the storm`);
        server.kill();
      }
    },
  );
  const cpu = window.end();
  const syscalls = await sys?.stop();
  let profile: ProfileSummary | undefined;
  if (profiling && !killed) {
    const file = profileFile(v['profile-dir'] as string, `${ctx.runId}-connect-${server.label}`);
    profile = summarizeProfile(await server.probe.profileStop(file));
    ctx.log(`${server.label}: CPU profile of the storm: ${file}`);
  }
  const stormSeconds = Math.max(1e-6, (opened.lastDone - opened.firstStart) / 1e6);

  const idleMs = v['idle-ms'] as number;
  ctx.log(`${server.label}: idle ${idleMs} ms, then a full GC in it and the memory reading...`);
  await new Promise((r) => setTimeout(r, idleMs));
  const after = await server.probe.usage(true);
  const st = await fleet.stats();
  // Every socket should have subscribed and still be open after the idle time.
  const lost = sockets - opened.subscribed + Object.values(st.closedByServer).reduce((a, b) => a + b, 0);
  if (lost > 0) {
    ctx.log(
      `${server.label}: LOST ${lost} sockets: failures ${JSON.stringify(opened.failures)}, closed by server ${JSON.stringify(st.closedByServer)}`,
    );
  }
  warnings.push(...machineWarnings(`the ${server.label} storm`, cpu));
  opened.perClient.forEach((c, k) =>
    warnings.push(...generatorWarnings(`${fleet.workers[k]!.name} (${server.label} storm)`, c)),
  );
  const per = (x: number) => (opened.subscribed > 0 ? x / opened.subscribed : 0);
  const serverCpu = cpu.processes.find((p) => p.name === server.label)?.cpu ?? 0;
  const figures: StormFigures = {
    server: server.label,
    attempted: sockets,
    subscribed: opened.subscribed,
    failures: opened.failures,
    openAfterIdle: st.open,
    closedByServer: st.closedByServer,
    lost,
    stormSeconds,
    connectionsPerSecond: opened.subscribed / stormSeconds,
    connectLatencyMs: latencySummary(opened.connectLatency),
    // Named for the gateway in the JSON since before the peer; the server of this storm.
    gatewayCpuSeconds: serverCpu,
    connectionsPerCpuSecond: serverCpu > 0 ? opened.subscribed / serverCpu : 0,
    ...(syscalls ? { syscalls } : {}),
    rssBefore: before.rss,
    rssAfter: after.rss,
    rssPerSocket: per(after.rss - before.rss),
    heapPerSocket: per(after.heapUsed - before.heapUsed),
  };
  return {
    figures,
    cpu,
    clientsElu: opened.perClient.map((c) => Math.round(c.elu * 100)),
    ...(profile ? { profile } : {}),
  };
}
