/**
 * pipeline: the four services on the broker, as separate processes; R comments/s posted through
 * ingest to T threads, S sockets subscribed through the gateway. Counts accepted vs delivered
 * per socket, end-to-end latency (ingest's accept time -> client receipt) and where it went hop
 * by hop, and what the comments cost: Kafka requests and CPU per comment.
 */
import { waitForArrivals } from '../arrivals';
import type { RunContext, ScenarioResult } from '../context';
import { createHistogram, latencySummary } from '../histogram';
import { hopLatencyTable } from '../hop-latency';
import { kafkaRequestsTable } from '../kafka-requests';
import type { PostResult } from '../loadgen/poster-protocol';
import { generatorWarnings, machineWarnings, postedPerSecond, posterWarnings } from '../report';
import { profileTables, summarizeProfile, type ProfileSummary } from '../cpu-profile';
import { pipelineCosts } from '../pipeline-costs';
import { startPipelineRig } from '../pipeline-rig';
import { profileFile } from '../profile-file';
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
  const warnings: string[] = [];
  const rig = await startPipelineRig(ctx, {
    threads: threadCount,
    sockets,
    // The spam score holds an author's 7th comment within a minute; three a minute stays clear.
    authors: Math.max(1, Math.ceil(rate * 20)),
    warnings,
  });
  const { apps, fleet, poster, opened } = rig;
  const gateway = rig.app('gateway');
  let result: ScenarioResult;
  try {
    const expectedFor = (p: PostResult) => rig.deliveriesOf(p.acceptedSeqs);
    if (warmup > 0) {
      ctx.log(`warm-up: ${warmup} s at ${rate}/s...`);
      const w = await rig.post(rate, warmup);
      warnings.push(...posterWarnings(w, rate, 'warm-up: '));
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
    const window = await rig.startWindow();
    if (v.fault === 'kill-gateway') {
      poster.onEvent((event) => {
        if (event !== 'posted') return;
        ctx.log('fault: killing the gateway (SIGKILL) halfway through');
        gateway.kill();
      });
    }
    ctx.log(`posting ${rate}/s for ${duration} s...`);
    const posted = await rig.post(rate, duration, v.fault ? Math.floor((rate * duration) / 2) : undefined);
    await waitForArrivals(fleet, expectedFor(posted), drainMs, ctx.log, posted.acceptedSeqs);
    const measured = await window.end();
    const cpu = measured.cpu;
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
    warnings.push(...posterWarnings(posted, rate));
    warnings.push(...machineWarnings('the measured window', cpu));
    warnings.push(...generatorWarnings('poster', posted.usage));
    st.perClient.forEach((c, k) => warnings.push(...generatorWarnings(fleet.workers[k]!.name, c.usage)));

    const { costs, warnings: costWarnings } = pipelineCosts(measured, posted.accepted, st.acceptLatency);
    warnings.push(...costWarnings);
    const e2e = latencySummary(st.acceptLatency);
    const postToReceipt = latencySummary(st.latency);
    const http = latencySummary(createHistogram(posted.httpLatency));
    const seconds = (st.lastArrival - posted.firstT) / 1e6;
    const figures = {
      postsSent: posted.sent,
      accepted: posted.accepted,
      refused,
      postedPerSecond: postedPerSecond(posted),
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
      cpuPerComment: costs.cpu,
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
        // The load generators' CPU is the bench's, not the system's: not counted.
        row('CPU ms per comment, services + broker', costs.cpu.withBrokerMs),
        row('CPU ms per comment, services only', costs.cpu.servicesMs),
        row('Kafka requests per comment, all services', round2(costs.kafka.perComment)),
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
        hopLatencyTable(costs.hops),
        procs,
        kafkaRequestsTable(costs.kafka, cpu.wall, posted.accepted),
        ...(sysTable ? [sysTable] : []),
        ...Object.entries(profiles).flatMap(([name, p]) => profileTables(p, `${name} CPU profile`)),
      ],
      results: {
        ...figures,
        hopLatencyMs: costs.hops,
        kafkaRequests: costs.kafka,
        processes: cpu.processes,
        profiles,
        syscalls,
      },
      load: { 'the measured window': cpu },
      warnings,
      lost,
    };
  } finally {
    await rig.close();
  }
  return result;
}

const round2 = (n: number | null) => (n === null ? null : Math.round(n * 100) / 100);
