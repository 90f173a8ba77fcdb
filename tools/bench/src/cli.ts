/**
 * The bench runner (`npm run bench -- <scenario> [options]`, through bench.mjs): parses the
 * options, brings up Kafka, runs the scenario, prints its tables and writes the JSON report.
 * Exit status: 0 when everything sent arrived, 1 when anything was LOST, 2 for bad options,
 * 3 when the run itself failed.
 */
import { randomBytes } from 'node:crypto';
import { basename } from 'node:path';
import { useBroker, type Broker } from './broker';
import type { RunContext, ScenarioResult } from './context';
import { profileTables, summarizeProfile } from './cpu-profile';
import { machineFacts } from './machine';
import { parseOptions, usage, UsageError, type ParsedOptions } from './options';
import { printReport, writeReport, type Report } from './report';
import { runCapacity } from './scenarios/capacity';
import { runConnect } from './scenarios/connect';
import { runFanout } from './scenarios/fanout';
import { runPipeline } from './scenarios/pipeline';
import { runState } from './scenarios/state';
import { renderTable } from './table';

const SCENARIOS = {
  fanout: runFanout,
  pipeline: runPipeline,
  connect: runConnect,
  capacity: runCapacity,
  state: runState,
};

export async function main(
  argv: string[],
  repoRoot: string,
  distDir: string,
  /** Builds the app bundles (bench.mjs: nx, cached); skipped with --no-build. */
  buildApps: () => Promise<void>,
): Promise<number> {
  // kafkajs 2.2.4 schedules a negative timeout, which Node 24 reports (the repo's scripts pass
  // --disable-warning=TimeoutNegativeWarning to the processes they start; the runner was not
  // started by them): that warning only is dropped.
  process.removeAllListeners('warning');
  process.on('warning', (w) => {
    if (w.name !== 'TimeoutNegativeWarning') process.stderr.write(`${w.name}: ${w.message}\n`);
  });
  const print = (s: string) => process.stdout.write(`${s}\n`);
  const log = (s: string) => process.stderr.write(`[bench] ${s}\n`);
  if (argv.includes('--help') || argv.includes('-h')) {
    print(usage());
    return 0;
  }
  if (argv[0] === 'profile') {
    if (argv.length < 2) {
      process.stderr.write('bench: profile needs one or more .cpuprofile files\n');
      return 2;
    }
    for (const file of argv.slice(1)) {
      for (const t of profileTables(summarizeProfile(file, 25), basename(file))) print(`\n${renderTable(t)}`);
    }
    return 0;
  }
  let opts: ParsedOptions;
  try {
    opts = parseOptions(argv);
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    process.stderr.write(`bench: ${e.message}\n\n${usage()}\n`);
    return 2;
  }
  const startedAt = new Date().toISOString();
  const machine = machineFacts(repoRoot);
  let broker: Broker | undefined;
  let result: ScenarioResult;
  // A second Ctrl-C or SIGTERM while cleaning up means: stop now.
  let interrupted = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (interrupted) process.exit(130);
    interrupted = true;
    log(`${signal}: stopping the broker and exiting`);
    void (broker?.stop() ?? Promise.resolve()).finally(() => process.exit(130));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    if (opts.values.build) await buildApps();
    broker = await useBroker(repoRoot, log);
    const ctx: RunContext = {
      repoRoot,
      distDir,
      values: opts.values,
      broker,
      machine,
      runId: randomBytes(3).toString('hex'),
      log,
    };
    result = await SCENARIOS[opts.scenario](ctx);
  } catch (e) {
    log(`the run failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
    await broker?.stop();
    return 3;
  }
  await broker.stop();

  const report: Report = {
    scenario: opts.scenario,
    startedAt,
    finishedAt: new Date().toISOString(),
    machine,
    options: opts.values,
    tables: result.tables,
    results: result.results,
    load: Object.fromEntries(
      Object.entries(result.load).map(([k, w]) => [
        k,
        {
          machineBusyCores: w.machineBusyCores,
          otherBusyCores: w.otherBusyCores,
          cores: w.cores,
          loadavg: w.loadavg,
        },
      ]),
    ),
    warnings: result.warnings,
    lost: result.lost,
    verdict: result.lost > 0 ? 'LOST' : 'ok',
  };
  printReport(report, print);
  if (opts.values.out) log(`JSON report: ${writeReport(report, opts.values.out as string)}`);
  return report.verdict === 'LOST' ? 1 : 0;
}
