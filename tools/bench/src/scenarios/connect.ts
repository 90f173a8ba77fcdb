/**
 * connect: a connection storm against one gateway. N sockets connect and subscribe (flat out,
 * within a per-client concurrency, or at a rate); reports new connections per second, connect +
 * subscribe latency, and the gateway's memory per idle socket: RSS growth over the N sockets,
 * each reading taken after full GCs inside the gateway.
 */
import type { RunContext, ScenarioResult } from '../context';
import { startCpuWindow } from '../cpu-window';
import type { ClientImpl } from '../loadgen/client-socket';
import { startFleet } from '../fleet';
import { latencySummary } from '../histogram';
import { generatorWarnings, machineWarnings } from '../report';
import { profileTables, summarizeProfile, type ProfileSummary } from '../cpu-profile';
import { profileFile } from '../profile-file';
import { startApp } from '../services';
import { countSyscalls, syscallCountingProblem } from '../syscall-count';
import type { Table } from '../table';

/** Sockets opened and closed before the first memory reading, so code paths are loaded and JITed. */
const WARM_SOCKETS = 200;

export async function runConnect(ctx: RunContext): Promise<ScenarioResult> {
  const v = ctx.values;
  const sockets = v.sockets as number;
  const channelCount = v.channels as number;
  const rate = v.rate as number;
  const channels = Array.from({ length: channelCount }, (_, c) => `thread:bench-${ctx.runId}-${c}`);
  const assign = Array.from({ length: sockets }, (_, i) => i % channelCount);
  const warnings: string[] = [];
  const onRetry = (why: string) => {
    ctx.log(why);
    warnings.push(why);
  };
  const sysProblem = v.syscalls ? syscallCountingProblem() : undefined;
  if (sysProblem) warnings.push(`--syscalls: ${sysProblem}; no syscall counts`);

  const gw = await startApp(
    ctx.repoRoot,
    'gateway',
    { KAFKA_BROKERS: ctx.broker.brokers, GATEWAY_DRAIN_MS: '2000' },
    { onRetry },
  );
  const url = `ws://127.0.0.1:${gw.port}/ws`;
  const fleet = startFleet(ctx.distDir, v.clients as number, v['client-impl'] as ClientImpl);
  let result: ScenarioResult;
  try {
    ctx.log(`warm-up: ${WARM_SOCKETS} sockets open and close...`);
    await fleet.open({
      url,
      channels,
      assign: assign.slice(0, WARM_SOCKETS),
      rate: 0,
      concurrency: 50,
      timeoutMs: 60_000,
    });
    await fleet.close();
    await new Promise((r) => setTimeout(r, 500));
    const before = await gw.probe.usage(true);

    if (v.profile) await gw.probe.profileStart();
    const sys = v.syscalls && !sysProblem ? countSyscalls(gw.pid) : undefined;
    const window = startCpuWindow([
      { name: 'gateway', pid: gw.pid },
      ...fleet.workers.map((w) => ({ name: w.name, pid: w.pid })),
    ]);
    ctx.log(
      `storm: ${sockets.toLocaleString('en-US')} sockets ${rate > 0 ? `at ${rate}/s` : 'flat out'} (concurrency ${v.concurrency} per client)...`,
    );
    let killed = false;
    const opened = await fleet.open(
      { url, channels, assign, rate, concurrency: v.concurrency as number, timeoutMs: 30_000 },
      (done) => {
        if (v.fault === 'kill-gateway' && !killed && done >= sockets / 2) {
          killed = true;
          ctx.log('fault: killing the gateway (SIGKILL) halfway through the storm');
          gw.kill();
        }
      },
    );
    const cpu = window.end();
    const syscalls = await sys?.stop();
    let profile: ProfileSummary | undefined;
    if (v.profile && !killed) {
      const file = profileFile(v['profile-dir'] as string, `${ctx.runId}-connect-gateway`);
      profile = summarizeProfile(await gw.probe.profileStop(file));
      ctx.log(`gateway: CPU profile of the storm: ${file}`);
    }
    const stormSeconds = Math.max(1e-6, (opened.lastDone - opened.firstStart) / 1e6);

    const idleMs = v['idle-ms'] as number;
    ctx.log(`idle ${idleMs} ms, then a full GC in the gateway and the memory reading...`);
    await new Promise((r) => setTimeout(r, idleMs));
    const after = await gw.probe.usage(true);
    const st = await fleet.stats();
    // Every socket should have subscribed and still be open after the idle time.
    const lost = sockets - opened.subscribed + Object.values(st.closedByServer).reduce((a, b) => a + b, 0);
    if (lost > 0) {
      ctx.log(
        `LOST ${lost} sockets: failures ${JSON.stringify(opened.failures)}, closed by server ${JSON.stringify(st.closedByServer)}`,
      );
    }
    warnings.push(...machineWarnings('the storm', cpu));
    opened.perClient.forEach((c, k) =>
      warnings.push(...generatorWarnings(`${fleet.workers[k]!.name} (storm)`, c)),
    );

    const lat = latencySummary(opened.connectLatency);
    const per = (x: number) => (opened.subscribed > 0 ? x / opened.subscribed : 0);
    const figures = {
      attempted: sockets,
      subscribed: opened.subscribed,
      failures: opened.failures,
      openAfterIdle: st.open,
      closedByServer: st.closedByServer,
      lost,
      stormSeconds,
      connectionsPerSecond: opened.subscribed / stormSeconds,
      connectLatencyMs: lat,
      gatewayCpuSeconds: cpu.processes.find((p) => p.name === 'gateway')?.cpu ?? 0,
      connectionsPerCpuSecond: 0,
      ...(syscalls ? { syscalls } : {}),
      rssBefore: before.rss,
      rssAfter: after.rss,
      rssPerSocket: per(after.rss - before.rss),
      heapPerSocket: per(after.heapUsed - before.heapUsed),
    };
    figures.connectionsPerCpuSecond =
      figures.gatewayCpuSeconds > 0 ? opened.subscribed / figures.gatewayCpuSeconds : 0;
    const table: Table = {
      title: `connect: ${sockets.toLocaleString('en-US')} sockets over ${channelCount} channels, ${rate > 0 ? `${rate}/s` : 'flat out'}, ${v.clients} ${v['client-impl']} client processes x ${v.concurrency} handshakes in flight`,
      columns: ['figure', 'value'],
      rows: [
        ['sockets subscribed', opened.subscribed],
        ['failed', sockets - opened.subscribed],
        ['closed by the server while idle', lost - (sockets - opened.subscribed)],
        ['LOST', lost],
        ['storm s (first connect -> last subscribed)', Math.round(stormSeconds * 1000) / 1000],
        ['new connections (with subscribe) per second', Math.round(figures.connectionsPerSecond)],
        ['connect + subscribe latency p50 ms', lat.p50],
        ['connect + subscribe latency p99 ms', lat.p99],
        ['connect + subscribe latency max ms', lat.max],
        ['gateway CPU s during the storm', Math.round(figures.gatewayCpuSeconds * 100) / 100],
        ['connections per gateway CPU-second', Math.round(figures.connectionsPerCpuSecond)],
        ...(syscalls
          ? ([
              [
                'gateway syscalls per connection',
                Math.round((syscalls.all / Math.max(1, opened.subscribed)) * 10) / 10,
              ],
              [
                'gateway write + writev per connection',
                Math.round(((syscalls.write + syscalls.writev) / Math.max(1, opened.subscribed)) * 10) / 10,
              ],
            ] as [string, number][])
          : []),
        ['gateway RSS before MB (after GC)', Math.round(before.rss / 1e5) / 10],
        ['gateway RSS with idle sockets MB (after GC)', Math.round(after.rss / 1e5) / 10],
        ['RSS per idle socket KB', Math.round(figures.rssPerSocket / 102.4) / 10],
        ['JS heap per idle socket KB', Math.round(figures.heapPerSocket / 102.4) / 10],
      ],
    };
    const procs: Table = {
      title:
        'processes during the storm (kernel accounting; event loop busy % as the load generators report it)',
      columns: ['process', 'cores', 'CPU s', 'RSS MB', 'event loop %'],
      rows: cpu.processes.map((p) => {
        const k = fleet.workers.findIndex((w) => w.name === p.name);
        return [
          p.name,
          Math.round(p.cores * 100) / 100,
          Math.round(p.cpu * 100) / 100,
          Math.round(p.rss / 1e5) / 10,
          k >= 0 ? Math.round(opened.perClient[k]!.elu * 100) : null,
        ];
      }),
    };
    result = {
      tables: [table, procs, ...(profile ? profileTables(profile, 'gateway CPU profile (storm)') : [])],
      results: { ...figures, ...(profile ? { profile } : {}) },
      load: { 'the storm': cpu },
      warnings,
      lost,
    };
  } finally {
    await fleet.close().catch(() => {});
    await fleet.stop();
    await gw.stop();
  }
  return result;
}
