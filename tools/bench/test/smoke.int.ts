import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// The CI smoke run of `npm run bench`: every scenario at tiny sizes against the run's broker,
// proving the harness works end to end (tables, JSON, exit status), and a run of each with the
// gateway killed halfway, proving that loss is detected and reported. It asserts nothing about
// speed: that is what the benchmark itself is for.
const bench = join(__dirname, '..', 'bench.mjs');
const outDir = mkdtempSync(join(tmpdir(), 'bench-smoke-'));

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
  report: {
    verdict: 'ok' | 'LOST';
    lost: number;
    tables: { title: string; columns: string[]; rows: (string | number | null)[][] }[];
    results: Record<string, unknown>;
    machine: { commit: string; cores: number };
  };
}

function runBench(name: string, args: string[]): Promise<Run> {
  const out = join(outDir, `${name}.json`);
  return new Promise((resolve, reject) => {
    // The apps are built by the integration target's dependencies; --no-build keeps nx out of it.
    const child = spawn(process.execPath, [bench, ...args, '--no-build', '--clients', '1', '--out', out], {
      env: process.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('exit', (status) => {
      try {
        resolve({ status, stdout, stderr, report: JSON.parse(readFileSync(out, 'utf8')) });
      } catch (e) {
        reject(new Error(`${name}: no JSON report (exit ${status}): ${String(e)}\n${stdout}\n${stderr}`));
      }
    });
  });
}

/** The exit status, with the run's output in the failure message when it is not the one expected. */
function expectStatus(run: Run, status: number): void {
  if (run.status !== status) {
    throw new Error(
      `exit ${run.status}, expected ${status}\n--- stdout\n${run.stdout}\n--- stderr\n${run.stderr}`,
    );
  }
}

/** The value of a row in the report's first table, by its label: what the printed table shows. */
function figure(run: Run, label: string, column = 1): string | number | null {
  const row = run.report.tables[0]!.rows.find((r) => r[0] === label);
  if (!row) throw new Error(`no row ${label}`);
  return row[column]!;
}

describe('npm run bench (smoke)', () => {
  afterAll(() => rmSync(outDir, { recursive: true, force: true }));

  it('fanout: gateway and naive baseline deliver everything; table and JSON agree', async () => {
    const run = await runBench('fanout', ['fanout', '--sockets', '24', '--channels', '4', '--events', '40']);
    expectStatus(run, 0);
    expect(run.report.verdict).toBe('ok');
    expect(run.stdout).toContain('| deliveries per server CPU-second');
    expect(run.stdout).toContain('no loss');
    const phases = run.report.results.phases as {
      server: string;
      expected: number;
      arrived: number;
      lost: number;
    }[];
    expect(phases.map((p) => p.server)).toEqual(['gateway', 'naive ws']);
    for (const p of phases) {
      // 24 sockets, 6 per channel: (1 warm-up + 10) events per channel each.
      expect(p.expected).toBe(24 * 11);
      expect(p.arrived).toBe(p.expected);
      expect(p.lost).toBe(0);
    }
    expect(figure(run, 'deliveries arrived')).toBe(phases[0]!.arrived);
    expect(figure(run, 'deliveries arrived', 2)).toBe(phases[1]!.arrived);
    expect(run.report.machine.commit).toMatch(/^[0-9a-f]{12}$/);
  });

  it('fanout: a gateway killed halfway is reported as LOST with exit status 1', async () => {
    const run = await runBench('fanout-fault', [
      'fanout',
      ...['--sockets', '12', '--channels', '3', '--rate', '100', '--duration', '3'],
      ...['--fault', 'kill-gateway', '--drain-ms', '2000'],
    ]);
    expectStatus(run, 1);
    expect(run.report.verdict).toBe('LOST');
    expect(run.report.lost).toBeGreaterThan(0);
    expect(figure(run, 'LOST')).toBe(run.report.lost);
    expect(run.stdout).toMatch(/^LOST: /m);
  });

  it('pipeline: comments posted through ingest all reach their sockets', async () => {
    const run = await runBench('pipeline', [
      'pipeline',
      ...['--rate', '20', '--threads', '3', '--sockets', '9', '--duration', '2', '--warmup', '1'],
    ]);
    expectStatus(run, 0);
    expect(run.report.verdict).toBe('ok');
    const r = run.report.results as { accepted: number; expected: number; delivered: number; lost: number };
    expect(r.accepted).toBe(40);
    // 3 sockets per thread, warm-up included.
    expect(r.expected).toBe(3 * (20 + 40));
    expect(r.delivered).toBe(r.expected);
    expect(figure(run, 'deliveries arrived')).toBe(r.delivered);
    expect(run.stdout).toContain('accept -> receipt (e2e)');
    // Where the time went, and what it cost: the gateway hop and the services' own counters.
    const hops = run.report.tables.find((t) => t.title.startsWith('where the time goes'))!;
    expect(hops.rows.find((row) => String(row[0]).startsWith('gateway:'))![4]).toBe(40);
    const requests = run.report.tables.find((t) => t.title.startsWith('Kafka requests'))!;
    expect(requests.rows.map((row) => row[0])).toEqual([
      'ingest',
      'enrich',
      'route',
      'gateway',
      'all processes',
    ]);
    const produce = requests.columns.indexOf('Produce');
    expect(requests.rows[0]![produce]).toBeGreaterThan(0);
    // Under the CI's shared broker its CPU is not known (no BENCH_KAFKA_PID): services only.
    expect(figure(run, 'CPU ms per comment, services only')).toBeGreaterThan(0);
  });

  it('capacity: ramps two steps and names the highest rate that held, with its cost', async () => {
    // The p99 bar is set out of reach: this checks the harness, not how fast the machine is.
    const run = await runBench('capacity', [
      'capacity',
      ...['--start-rate', '5', '--max-rate', '10', '--step-duration', '2', '--settle', '1'],
      ...['--threads', '4', '--sockets', '20', '--p99-ms', '600000'],
    ]);
    expectStatus(run, 0);
    expect(run.report.verdict).toBe('ok');
    const steps = run.report.tables[0]!.rows;
    expect(steps.map((r) => r[0])).toEqual([5, 10]);
    const r = run.report.results as {
      capacity: { rate: number; atLeast: boolean; servicesCpuMsPerComment: number | null };
      steps: { rate: number; accepted: number; expected: number; arrived: number; lost: number }[];
    };
    for (const s of r.steps) {
      // 5 sockets per thread; the settle's posts must arrive too.
      expect(s.accepted).toBe(s.rate * 2);
      expect(s.expected).toBe(5 * (s.rate * 2 + s.rate * 1));
      expect(s.arrived).toBe(s.expected);
      expect(s.lost).toBe(0);
    }
    expect(r.capacity).toMatchObject({ rate: 10, atLeast: true });
    expect(r.capacity.servicesCpuMsPerComment).toBeGreaterThan(0);
    expect(run.stdout).toMatch(
      /^capacity: highest rate with zero loss and e2e p99 <= 600000 ms: 10 comments\/s/m,
    );
    expect(run.stdout).toContain('where the time goes per step');
  });

  it('pipeline: a gateway killed halfway is reported as LOST', async () => {
    const run = await runBench('pipeline-fault', [
      'pipeline',
      ...['--rate', '20', '--threads', '2', '--sockets', '4', '--duration', '3', '--warmup', '0'],
      ...['--fault', 'kill-gateway', '--drain-ms', '2000'],
    ]);
    expectStatus(run, 1);
    expect(run.report.verdict).toBe('LOST');
    expect(run.report.lost).toBeGreaterThan(0);
  });

  it('state: seeds history, restarts enrich and route, measures changelog bytes per vote, runs the pipeline', async () => {
    const run = await runBench('state', [
      'state',
      ...['--users', '1000', '--comments', '1000', '--threads', '100', '--votes', '1000'],
      ...['--hot-voters', '100', '--probe-votes', '20'],
      ...['--rate', '20', '--duration', '2', '--warmup', '1', '--sockets', '9'],
    ]);
    expectStatus(run, 0);
    expect(run.report.verdict).toBe('ok');
    const r = run.report.results as {
      seeded: { topic: string; records: number }[];
      hotComment: { voters: number };
      starts: Record<
        string,
        Record<
          'cold' | 'warm',
          {
            readySeconds: number;
            rssAtReady: number;
            restoredRecords: number | null;
            restoredByStore: Record<string, number>;
          }
        >
      >;
      votes: { votes: number; routeBytes: number; routeRecords: number; deadLettered: string[] }[];
      pipeline: { accepted: number; delivered: number; expected: number };
    };
    // The global tables one record per user and thread; the comments' and votes' records depend
    // on their topics' format (src/state/format-*.ts).
    expect(r.seeded.slice(0, 2)).toEqual([
      expect.objectContaining({ topic: 'users', records: 1000 }),
      expect.objectContaining({ topic: 'threads', records: 100 }),
    ]);
    for (const s of r.seeded) expect(s.records).toBeGreaterThan(0);
    // enrich's comments store: one index entry per comment.
    expect(r.seeded[2]).toMatchObject({ topic: 'enrich.comments-changelog', records: 1000 });
    // route's votes store: a `c/` record per comment and a `v/` record per vote, every voter of
    // the hot comment included.
    expect(r.seeded[3]).toMatchObject({ topic: 'route.votes-changelog', records: 1000 + 1000 });
    expect(r.hotComment).toMatchObject({ voters: 100 });
    for (const stage of ['enrich', 'route']) {
      for (const kind of ['cold', 'warm'] as const) {
        expect(r.starts[stage]![kind].readySeconds).toBeGreaterThan(0);
        expect(r.starts[stage]![kind].rssAtReady).toBeGreaterThan(0);
      }
    }
    // Each stage restored at least the seeded changelogs into its empty state directory (enrich its
    // global users and threads tables too; under `npm test` the broker is shared, so other suites'
    // records are in the topics as well), then, started again on it, nothing (its stop
    // checkpointed what it had).
    expect(r.starts.route!.cold.restoredRecords).toBeGreaterThanOrEqual(2000);
    expect(r.starts.route!.warm.restoredRecords).toBe(0);
    const enrichCold = r.starts.enrich!.cold.restoredByStore;
    expect(enrichCold.users).toBeGreaterThanOrEqual(1000);
    expect(enrichCold.threads).toBeGreaterThanOrEqual(100);
    expect(enrichCold.comments).toBeGreaterThanOrEqual(1000);
    expect(r.starts.enrich!.warm.restoredRecords).toBe(0);
    // Every probe vote reached route (every voted comment was seeded as created in the partition
    // route reads it from) and cost its changelog something: none was dead-lettered.
    expect(r.votes.map((x) => x.votes)).toEqual([20, 20, 1]);
    for (const x of r.votes) {
      expect(x.routeRecords).toBeGreaterThanOrEqual(1);
      expect(x.routeBytes).toBeGreaterThan(0);
      expect(x.deadLettered).toEqual([]);
    }
    expect(r.pipeline.accepted).toBe(40);
    expect(r.pipeline.delivered).toBe(r.pipeline.expected);
    const targets = run.report.tables.find((t) => t.title.startsWith('targets'))!;
    expect(targets.rows.map((row) => `${row[0]} ${row[1]}`)).toEqual([
      'enrich RSS after restore, MB',
      'enrich ready cold (no local state), s',
      'enrich ready warm (restart), s',
      'enrich changelog bytes per vote',
      'route RSS after restore, MB',
      'route ready cold (no local state), s',
      'route ready warm (restart), s',
      'route changelog bytes per vote',
    ]);
    expect(run.stdout).toContain('accept -> receipt (e2e)');
  });

  it('connect: every socket subscribes and stays; memory per socket is read', async () => {
    const run = await runBench('connect', [
      'connect',
      '--sockets',
      '300',
      '--channels',
      '10',
      '--idle-ms',
      '200',
    ]);
    expectStatus(run, 0);
    const r = run.report.results as { subscribed: number; openAfterIdle: number; rssAfter: number };
    expect(r.subscribed).toBe(300);
    expect(r.openAfterIdle).toBe(300);
    expect(r.rssAfter).toBeGreaterThan(0);
    expect(figure(run, 'sockets subscribed')).toBe(300);
  });

  it('connect: a gateway killed halfway through the storm is reported as LOST', async () => {
    const run = await runBench('connect-fault', [
      'connect',
      ...['--sockets', '300', '--channels', '10', '--rate', '300', '--idle-ms', '200'],
      ...['--fault', 'kill-gateway'],
    ]);
    expectStatus(run, 1);
    expect(run.report.verdict).toBe('LOST');
    expect(run.report.lost).toBeGreaterThan(0);
  });
});
