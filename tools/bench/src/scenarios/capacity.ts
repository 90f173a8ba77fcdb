/**
 * capacity: the pipeline's rig (four services, S sockets over T threads, the poster) started
 * once, then the post rate ramped in steps, doubling from --start-rate up to --max-rate. Each
 * step posts at its rate for --settle seconds (not measured), then --step-duration seconds
 * measured until everything accepted has arrived. The ramp ends at the first step that loses a
 * delivery, has posts refused, cannot keep its rate (poster behind) or has an e2e p99 over
 * --p99-ms; the capacity is the highest rate before it.
 */
import { waitForArrivals } from '../arrivals';
import type { RunContext, ScenarioResult } from '../context';
import type { CpuWindow } from '../cpu-window';
import type { HopFigure } from '../hop-latency';
import type { PostResult } from '../loadgen/poster-protocol';
import { pipelineCosts, type PipelineCosts } from '../pipeline-costs';
import { rampRates } from '../ramp-rates';
import { startPipelineRig, type PipelineRig } from '../pipeline-rig';
import { generatorWarnings, machineWarnings, postedPerSecond, posterBehind, posterWarnings } from '../report';
import type { Cell, Table } from '../table';

interface Step {
  rate: number;
  sent: number;
  accepted: number;
  refused: number;
  postedPerSecond: number;
  expected: number;
  arrived: number;
  lost: number;
  duplicates: number;
  e2eP50Ms: number;
  e2eP99Ms: number;
  costs: PipelineCosts;
  /** Why this step ends the ramp; empty when it passed. */
  failed: string[];
  /** A load generator was the limit of this step. */
  generatorBound: boolean;
  load: CpuWindow;
}

export async function runCapacity(ctx: RunContext): Promise<ScenarioResult> {
  const v = ctx.values;
  const rates = rampRates(v['start-rate'] as number, v['max-rate'] as number);
  const p99Bar = v['p99-ms'] as number;
  const warnings: string[] = [];
  const rig = await startPipelineRig(ctx, {
    threads: v.threads as number,
    sockets: v.sockets as number,
    // Enough authors for the highest rate that none trips the burst spam signal at any step.
    authors: Math.max(1, Math.ceil(rates.at(-1)! * 20)),
    warnings,
  });
  const steps: Step[] = [];
  const load: Record<string, CpuWindow> = {};
  try {
    if (v.fault === 'kill-gateway') {
      rig.poster.onEvent((event) => {
        if (event !== 'posted') return;
        ctx.log('fault: killing the gateway (SIGKILL) halfway through the first step');
        rig.app('gateway').kill();
      });
    }
    let before: number[][] = rig.threads.map(() => []);
    // A warning every step repeats word for word (no tc-hops yet) is said once.
    const said = new Set<string>();
    for (const [i, rate] of rates.entries()) {
      const step = await runStep(ctx, rig, rate, before, i === 0 && v.fault === 'kill-gateway');
      before = step.acceptedSeqs;
      steps.push(step.step);
      const phase = `step ${i + 1} (${rate}/s)`;
      load[phase] = step.step.load;
      for (const w of step.warnings) {
        if (!said.has(w)) warnings.push(`${phase}: ${w}`);
        said.add(w);
      }
      ctx.log(
        `${phase}: ${step.step.accepted} accepted, ${step.step.lost} lost, e2e p99 ${step.step.e2eP99Ms} ms` +
          (step.step.failed.length ? `: ends the ramp (${step.step.failed.join('; ')})` : ''),
      );
      if (step.step.failed.length) break;
    }
  } finally {
    await rig.close();
  }
  const passed = steps.filter((s) => s.failed.length === 0);
  const best = passed.at(-1);
  const stop = steps.find((s) => s.failed.length > 0);
  const lost = steps.reduce((a, s) => a + s.lost, 0);
  const bar = `zero loss and e2e p99 <= ${p99Bar} ms`;
  const headline = !best
    ? `capacity: no rate tried had ${bar} (the first, ${steps[0]?.rate ?? rates[0]}/s: ${stop?.failed.join('; ') ?? 'not run'})`
    : `capacity: highest rate with ${bar}: ${best.rate.toLocaleString('en-US')} comments/s` +
      `${stop ? '' : ' or more (every step passed; raise --max-rate)'}, ` +
      `at ${best.costs.cpu.withBrokerMs ?? best.costs.cpu.servicesMs} ms CPU per comment` +
      `${best.costs.cpu.withBrokerMs === null ? ' (services; broker CPU unknown)' : ' (services + broker)'}`;
  if (stop?.generatorBound) {
    warnings.push(
      `the step that ended the ramp (${stop.rate}/s) was bounded by a load generator: the capacity found is the bench's, not the system's`,
    );
  }
  return {
    tables: [stepsTable(ctx, steps, rates), hopsTable(steps), capacityTable(headline, best, stop)],
    results: {
      capacity: {
        rate: best?.rate ?? null,
        atLeast: best !== undefined && stop === undefined,
        cpuMsPerComment: best?.costs.cpu.withBrokerMs ?? null,
        servicesCpuMsPerComment: best?.costs.cpu.servicesMs ?? null,
        kafkaRequestsPerComment: best?.costs.kafka.perComment ?? null,
        endedAt: stop ? { rate: stop.rate, reasons: stop.failed, generatorBound: stop.generatorBound } : null,
        p99BarMs: p99Bar,
      },
      steps: steps.map(({ load: l, ...s }) => ({ ...s, processes: l.processes })),
    },
    load,
    warnings,
    lost,
  };
}

async function runStep(
  ctx: RunContext,
  rig: PipelineRig,
  rate: number,
  /** Per thread, the sequence numbers accepted before this step. */
  before: number[][],
  /** Kill the gateway halfway through this step's measured posts. */
  fault: boolean,
): Promise<{ step: Step; acceptedSeqs: number[][]; warnings: string[] }> {
  const v = ctx.values;
  const seconds = v['step-duration'] as number;
  const settleSeconds = v.settle as number;
  const warnings: string[] = [];
  let settled: PostResult | undefined;
  if (settleSeconds > 0) {
    ctx.log(`${rate}/s: settling for ${settleSeconds} s...`);
    settled = await rig.post(rate, settleSeconds);
    warnings.push(...posterWarnings(settled, rate, 'settle: '));
  }
  await rig.fleet.reset();
  const window = await rig.startWindow();
  ctx.log(`${rate}/s: measuring for ${seconds} s...`);
  const posted = await rig.post(rate, seconds, fault ? Math.floor((rate * seconds) / 2) : undefined);
  // What this step (its settle included) had accepted must arrive; earlier steps' did already.
  const seqs = posted.acceptedSeqs.map((l, t) => l.slice(before[t]?.length ?? 0));
  await waitForArrivals(rig.fleet, rig.deliveriesOf(seqs), v['drain-ms'] as number, ctx.log, seqs);
  const measured = await window.end();
  const st = await rig.fleet.stats({ expected: seqs });
  const { costs, warnings: costWarnings } = pipelineCosts(measured, posted.accepted, st.acceptLatency);
  const generator = [
    ...generatorWarnings('poster', posted.usage),
    ...st.perClient.flatMap((c, k) => generatorWarnings(rig.fleet.workers[k]!.name, c.usage)),
  ];
  warnings.push(
    ...posterWarnings(posted, rate),
    ...machineWarnings('the step', measured.cpu),
    ...generator,
    ...costWarnings,
  );
  const e2eP99Ms = Math.round(st.acceptLatency.quantile(0.99) / 100) / 10;
  const lost = st.expected - st.expectedArrived;
  const refused = posted.sent - posted.accepted + (settled ? settled.sent - settled.accepted : 0);
  const failed = [
    ...(lost > 0 ? [`lost ${lost} deliveries`] : []),
    ...(refused > 0 ? [`ingest refused ${refused} posts`] : []),
    ...(posterBehind(posted, rate) || (settled && posterBehind(settled, rate))
      ? ['the poster fell behind the rate']
      : []),
    ...(e2eP99Ms > (v['p99-ms'] as number) ? [`e2e p99 ${e2eP99Ms} ms > ${v['p99-ms']} ms`] : []),
  ];
  return {
    step: {
      rate,
      sent: posted.sent,
      accepted: posted.accepted,
      refused: posted.sent - posted.accepted,
      postedPerSecond: Math.round(postedPerSecond(posted) * 10) / 10,
      expected: st.expected,
      arrived: st.expectedArrived,
      lost,
      duplicates: st.duplicates,
      e2eP50Ms: Math.round(st.acceptLatency.quantile(0.5) / 100) / 10,
      e2eP99Ms,
      costs,
      failed,
      generatorBound: generator.length > 0,
      load: measured.cpu,
    },
    acceptedSeqs: posted.acceptedSeqs,
    warnings,
  };
}

const round2 = (n: number | null) => (n === null ? null : Math.round(n * 100) / 100);

function stepsTable(ctx: RunContext, steps: Step[], rates: number[]): Table {
  const v = ctx.values;
  return {
    title:
      `capacity: ${v.sockets} sockets over ${v.threads} threads, ${rates.join(', ')} comments/s, ` +
      `${v['step-duration']} s measured per step after ${v.settle} s settling, ${v.clients} ${v['client-impl']} ` +
      'client processes (CPU: services + broker, load generators not counted)',
    columns: [
      'rate asked',
      'posted/s',
      'accepted',
      'refused',
      'deliveries expected (with settle)',
      'arrived',
      'LOST',
      'e2e p50 ms',
      'e2e p99 ms',
      'cores',
      'CPU ms per comment',
      'Kafka requests per comment',
      'step',
    ],
    rows: steps.map((s) => [
      s.rate,
      s.postedPerSecond,
      s.accepted,
      s.refused,
      s.expected,
      s.arrived,
      s.lost,
      s.e2eP50Ms,
      s.e2eP99Ms,
      s.costs.cpu.withBrokerCores ?? s.costs.cpu.servicesCores,
      s.costs.cpu.withBrokerMs ?? s.costs.cpu.servicesMs,
      round2(s.costs.kafka.perComment),
      (s.failed.length ? `ends the ramp: ${s.failed.join('; ')}` : 'ok') +
        (s.generatorBound ? ' (LOAD GENERATOR BOTTLENECK)' : ''),
    ]),
  };
}

function hopsTable(steps: Step[]): Table {
  const hops = ['ingest', 'enrich', 'route', 'gateway'];
  const cells = (f: HopFigure | undefined): Cell[] => [
    f?.p50 ?? null,
    f?.p99Beyond ? `> ${f.p99}` : (f?.p99 ?? null),
  ];
  return {
    title:
      "where the time goes per step, ms (the gateway's threadcast_hop_latency_seconds, interpolated; " +
      "socket: the receivers' e2e mean minus the gateway's accept -> written mean)",
    columns: ['rate asked', ...hops.flatMap((h) => [`${h} p50`, `${h} p99`]), 'socket mean'],
    rows: steps.map((s) => [
      s.rate,
      ...hops.flatMap((h) => cells(s.costs.hops.hops[h])),
      s.costs.hops.socketMean,
    ]),
  };
}

function capacityTable(headline: string, best: Step | undefined, stop: Step | undefined): Table {
  return {
    title: headline,
    columns: ['figure', 'value'],
    rows: [
      ['comments/s', best?.rate ?? null],
      ['e2e p99 ms at it', best?.e2eP99Ms ?? null],
      ['CPU ms per comment, services + broker', best?.costs.cpu.withBrokerMs ?? null],
      ['CPU ms per comment, services only', best?.costs.cpu.servicesMs ?? null],
      ['cores, services + broker', best?.costs.cpu.withBrokerCores ?? null],
      ['Kafka requests per comment', round2(best?.costs.kafka.perComment ?? null)],
      ['the ramp ended at (comments/s)', stop?.rate ?? null],
      ['because', stop ? stop.failed.join('; ') : 'every step passed'],
    ],
  };
}
