/**
 * pipeline: the four services on the broker, as separate processes; R comments/s posted through
 * ingest to T threads, S sockets subscribed through the gateway. Counts accepted vs delivered
 * per socket, and end-to-end latency (ingest's accept time -> client receipt).
 */
import { join } from 'node:path';
import { TOPICS } from '@threadcast/contracts';
import { waitForArrivals } from '../arrivals';
import { startGroupsAtEnd } from '../groups-at-end';
import type { RunContext, ScenarioResult } from '../context';
import { startCpuWindow } from '../cpu-window';
import type { ClientImpl } from '../loadgen/client-socket';
import { startFleet } from '../fleet';
import { createHistogram, latencySummary } from '../histogram';
import { startWorker } from '../ipc';
import type { PostArgs, PostResult } from '../loadgen/poster-protocol';
import { generatorWarnings, machineWarnings } from '../report';
import { profileTables, summarizeProfile, type ProfileSummary } from '../cpu-profile';
import { profileFile } from '../profile-file';
import { baseEnv, startApp, type AppName, type RunningApp } from '../services';
import { countSyscalls, syscallCountingProblem, type SyscallCounts } from '../syscall-count';
import type { Cell, Table } from '../table';

export async function runPipeline(ctx: RunContext): Promise<ScenarioResult> {
  const v = ctx.values;
  const rate = v.rate as number;
  const threadCount = v.threads as number;
  const sockets = v.sockets as number;
  const duration = v.duration as number;
  const warmup = v.warmup as number;
  const drainMs = v['drain-ms'] as number;
  const threads = Array.from({ length: threadCount }, (_, t) => `bench-${ctx.runId}-${t}`);
  const channels = threads.map((t) => `thread:${t}`);
  const assign = Array.from({ length: sockets }, (_, i) => i % threadCount);
  // The spam score holds an author's 8th comment within a minute; three a minute stays clear.
  const authors = Math.max(1, Math.ceil(rate * 20));
  const warnings: string[] = [];

  const brokers = ctx.broker.brokers;
  const onRetry = (why: string) => {
    ctx.log(why);
    warnings.push(why);
  };
  const prof = { onRetry };
  ctx.log('starting ingest, enrich, route and gateway...');
  const names: AppName[] = ['ingest', 'enrich', 'route', 'gateway'];
  const envOf: Record<string, Record<string, string>> = {
    ingest: {},
    enrich: { ENRICH_GROUP_ID: `bench-enrich-${ctx.runId}` },
    route: { ROUTE_GROUP_ID: `bench-route-${ctx.runId}` },
    gateway: { GATEWAY_DRAIN_MS: '2000' },
  };
  await startGroupsAtEnd(brokers, [
    { groupId: envOf.enrich!.ENRICH_GROUP_ID!, topic: TOPICS.comments },
    { groupId: envOf.route!.ROUTE_GROUP_ID!, topic: TOPICS.commentsEnriched },
  ]);
  const started = await Promise.allSettled(
    names.map((n) => startApp(ctx.repoRoot, n, { KAFKA_BROKERS: brokers, ...envOf[n] }, prof)),
  );
  const apps = started.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
  const failed = started.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  if (failed) {
    await Promise.all(apps.map((a) => a.stop()));
    throw failed.reason;
  }
  const app = (n: AppName) => apps.find((a) => a.name === n)!;
  const gateway = app('gateway');
  const ingestUrl = `http://127.0.0.1:${app('ingest').port}`;

  const fleet = startFleet(ctx.distDir, v.clients as number, v['client-impl'] as ClientImpl);
  const poster = startWorker('poster', join(ctx.distDir, 'poster.js'), baseEnv());
  let result: ScenarioResult;
  try {
    ctx.log(`connecting ${sockets.toLocaleString('en-US')} sockets over ${threadCount} threads...`);
    const opened = await fleet.open({
      url: `ws://127.0.0.1:${gateway.port}/ws`,
      channels,
      assign,
      rate: 0,
      concurrency: v.concurrency as number,
      timeoutMs: 60_000,
      acceptTimes: true,
    });
    if (opened.subscribed < sockets) {
      ctx.log(
        `only ${opened.subscribed} of ${sockets} sockets subscribed: ${JSON.stringify(opened.failures)}`,
      );
    }
    await poster.call('setup', { run: ctx.runId });
    const postArgs = (seconds: number, notifyAt?: number): PostArgs => ({
      url: ingestUrl,
      threads,
      rate,
      seconds,
      authors,
      ...(notifyAt === undefined ? {} : { notifyAt }),
    });
    const expectedFor = (p: PostResult) => assign.reduce((a, t) => a + p.acceptedSeqs[t]!.length, 0);
    if (warmup > 0) {
      ctx.log(`warm-up: ${warmup} s at ${rate}/s...`);
      const w = await poster.call<PostResult>('post', postArgs(warmup));
      if (w.accepted < w.sent) {
        warnings.push(
          `warm-up: ingest refused ${w.sent - w.accepted} of ${w.sent} posts: ${JSON.stringify(w.failures)}`,
        );
      }
      await waitForArrivals(fleet, expectedFor(w), drainMs, ctx.log, w.acceptedSeqs);
    }

    await fleet.reset();
    if (v.profile) await Promise.all(apps.map((a) => a.probe.profileStart()));
    const sysProblem = v.syscalls ? syscallCountingProblem() : undefined;
    if (sysProblem) warnings.push(`--syscalls: ${sysProblem}; no syscall counts`);
    const counted = [
      ...apps.map((a) => ({ name: a.name as string, pid: a.pid })),
      ...(ctx.broker.pid ? [{ name: 'kafka broker', pid: ctx.broker.pid }] : []),
    ];
    const counters = v.syscalls && !sysProblem ? counted.map((p) => countSyscalls(p.pid)) : [];
    const window = startCpuWindow([
      ...apps.map((a) => ({ name: a.name, pid: a.pid })),
      { name: 'kafka broker', pid: ctx.broker.pid },
      { name: 'poster', pid: poster.pid },
      ...fleet.workers.map((w) => ({ name: w.name, pid: w.pid })),
    ]);
    if (v.fault === 'kill-gateway') {
      poster.onEvent((event) => {
        if (event !== 'posted') return;
        ctx.log('fault: killing the gateway (SIGKILL) halfway through');
        gateway.kill();
      });
    }
    ctx.log(`posting ${rate}/s for ${duration} s...`);
    const posted = await poster.call<PostResult>(
      'post',
      postArgs(duration, v.fault ? Math.floor((rate * duration) / 2) : undefined),
    );
    await waitForArrivals(fleet, expectedFor(posted), drainMs, ctx.log, posted.acceptedSeqs);
    const cpu = window.end();
    const syscalls: Record<string, SyscallCounts> = {};
    for (const [i, c] of counters.entries()) {
      const counts = await c.stop();
      if (counts) syscalls[counted[i]!.name] = counts;
    }
    const profiles: Record<string, ProfileSummary> = {};
    if (v.profile && !v.fault) {
      for (const a of apps) {
        const file = profileFile(v['profile-dir'] as string, `${ctx.runId}-pipeline-${a.name}`);
        profiles[a.name] = summarizeProfile(await a.probe.profileStop(file));
        ctx.log(`${a.name}: CPU profile of the measured window: ${file}`);
      }
    }
    const st = await fleet.stats({ expected: posted.acceptedSeqs });
    const lost = st.expected - st.expectedArrived;
    const refused = posted.sent - posted.accepted;
    if (refused > 0) {
      warnings.push(`ingest refused ${refused} of ${posted.sent} posts: ${JSON.stringify(posted.failures)}`);
    }
    if (posted.maxBehind > rate * 0.1) {
      warnings.push(
        `POSTER BEHIND: it fell ${posted.maxBehind} comments behind its schedule: the rate was not held`,
      );
    }
    warnings.push(...machineWarnings('the measured window', cpu));
    warnings.push(...generatorWarnings('poster', posted.usage));
    st.perClient.forEach((c, k) => warnings.push(...generatorWarnings(fleet.workers[k]!.name, c.usage)));

    const e2e = latencySummary(st.acceptLatency);
    const postToReceipt = latencySummary(st.latency);
    const http = latencySummary(createHistogram(posted.httpLatency));
    const seconds = (st.lastArrival - posted.firstT) / 1e6;
    const figures = {
      postsSent: posted.sent,
      accepted: posted.accepted,
      refused,
      postedPerSecond:
        posted.lastT > posted.firstT ? posted.sent / ((posted.lastT - posted.firstT) / 1e6) : posted.sent,
      socketsSubscribed: opened.subscribed,
      expected: st.expected,
      delivered: st.expectedArrived,
      lost,
      duplicates: st.duplicates,
      outOfOrder: st.outOfOrder,
      unexpected: st.unexpected,
      closedByServer: st.closedByServer,
      deliveriesPerSecond: seconds > 0 ? st.windowArrived / seconds : 0,
      e2eLatencyMs: e2e,
      postToReceiptMs: postToReceipt,
      httpAcceptMs: http,
    };
    const row = (label: string, ...cells: Cell[]): Cell[] => [label, ...cells];
    const lat = (label: string, l: ReturnType<typeof latencySummary>): Cell[] =>
      row(label, l.p50, l.p90, l.p99, l.p999, l.max, l.count);
    const counts: Table = {
      title:
        `pipeline: ${rate} comments/s for ${duration} s (after ${warmup} s warm-up) into ${threadCount} threads, ` +
        `${sockets.toLocaleString('en-US')} sockets, ${v.clients} ${v['client-impl']} client processes`,
      columns: ['figure', 'value'],
      rows: [
        row('posts sent (measured)', posted.sent),
        row('posts accepted (202)', posted.accepted),
        row('posts refused', refused),
        row('posted/s', Math.round(figures.postedPerSecond)),
        row('posts in flight at most', posted.maxInFlight),
        row('sockets subscribed', opened.subscribed),
        row('deliveries expected (with warm-up)', st.expected),
        row('deliveries arrived', st.expectedArrived),
        row('LOST', lost),
        row('duplicates', st.duplicates),
        // A post answered 503 after its record was written is delivered all the same.
        row('deliveries of posts not accepted', st.unexpected),
        row('deliveries/s', Math.round(figures.deliveriesPerSecond)),
      ],
    };
    const latency: Table = {
      title:
        'latency, ms (accept -> receipt: ingest accept time to client receipt, ms clocks; post -> receipt: monotonic µs)',
      columns: ['path', 'p50', 'p90', 'p99', 'p99.9', 'max', 'samples'],
      rows: [
        lat('accept -> receipt (e2e)', e2e),
        lat('post -> receipt', postToReceipt),
        lat('post -> 202', http),
      ],
    };
    const genElu: Record<string, number> = { poster: posted.usage.elu };
    st.perClient.forEach((c, k) => (genElu[fleet.workers[k]!.name] = c.usage.elu));
    const procs: Table = {
      title: 'processes over the measured window (kernel accounting)',
      columns: ['process', 'cores', 'CPU s', 'RSS MB', 'peak RSS MB', 'event loop %'],
      rows: cpu.processes.map((p) => [
        p.name,
        Math.round(p.cores * 100) / 100,
        Math.round(p.cpu * 100) / 100,
        Math.round(p.rss / 1e5) / 10,
        Math.round(p.peakRss / 1e5) / 10,
        genElu[p.name] === undefined ? null : Math.round(genElu[p.name]! * 100),
      ]),
    };
    if (lost > 0) {
      ctx.log(
        `LOST ${lost} deliveries (${st.socketsShort} sockets short; closed by server: ${JSON.stringify(st.closedByServer)})`,
      );
    }
    const perPost = (n: number) => Math.round((n / Math.max(1, posted.sent)) * 10) / 10;
    const sysTable: Table | undefined = Object.keys(syscalls).length
      ? {
          title: 'syscalls over the measured window, per post (perf stat on syscall tracepoints)',
          columns: ['process', 'all', 'write + writev', 'read', 'epoll_pwait', 'all per post'],
          rows: Object.entries(syscalls).map(([name, c]) => [
            name,
            c.all,
            c.write + c.writev,
            c.read,
            c.epoll,
            perPost(c.all),
          ]),
        }
      : undefined;
    result = {
      tables: [
        counts,
        latency,
        procs,
        ...(sysTable ? [sysTable] : []),
        ...Object.entries(profiles).flatMap(([name, p]) => profileTables(p, `${name} CPU profile`)),
      ],
      results: { ...figures, processes: cpu.processes, profiles, syscalls },
      load: { 'the measured window': cpu },
      warnings,
      lost,
    };
  } finally {
    await fleet.close().catch(() => {});
    await fleet.stop();
    await poster.stop();
    await stopAll(apps);
  }
  return result;
}

async function stopAll(apps: RunningApp[]): Promise<void> {
  // Gateway first (sockets), then the stages, as a rollout would.
  await apps.find((a) => a.name === 'gateway')?.stop();
  await Promise.all(apps.filter((a) => a.name !== 'gateway').map((a) => a.stop()));
}
