/**
 * `npm run bench -- <scenario> [options]`: the scenarios, their options with defaults and one
 * line of doc each, and parsing that names the bad option in its error.
 */
import { parseArgs } from 'node:util';

export type Scenario = 'fanout' | 'pipeline' | 'connect' | 'capacity' | 'state';
export const SCENARIOS: Scenario[] = ['fanout', 'pipeline', 'connect', 'capacity', 'state'];

/** One line each in --help. */
const ABOUT: Record<Scenario, string> = {
  fanout: 'one gateway, events produced to deliveries, fanned out to S sockets (+ the naive ws baseline)',
  pipeline:
    'the four services: comments posted to ingest at a rate reach S sockets; hops, Kafka requests, CPU',
  connect: 'a storm of connections to one gateway, then memory per idle socket',
  capacity:
    'the four services, the post rate doubling each step until a step loses, refuses, falls behind or misses --p99-ms',
  state:
    'history seeded into the state topics; enrich and route: ready cold and warm, RSS, changelog bytes per vote, then a pipeline run',
};

interface Spec {
  kind: 'int' | 'rate' | 'string' | 'flag' | 'fault' | 'impl' | 'peer';
  default: number | string | boolean | undefined;
  doc: string;
  min?: number;
  max?: number;
}

const common: Record<string, Spec> = {
  out: { kind: 'string', default: undefined, doc: 'Write the results as JSON to this file.' },
  'client-impl': {
    kind: 'impl',
    default: 'raw',
    doc: "Load generators' WebSocket client: raw (the bench's own, light) or ws (the ws library's).",
  },
  clients: {
    kind: 'int',
    default: 2,
    min: 1,
    max: 64,
    doc: 'Receiving load-generator processes; sockets are spread over them.',
  },
  'drain-ms': {
    kind: 'int',
    default: 10_000,
    min: 100,
    doc: 'How long to wait without any new arrival before counting what is missing as lost.',
  },
  profile: {
    kind: 'flag',
    default: false,
    doc: 'CPU-profile the servers over the measured window (V8, as --cpu-prof); top functions in the tables.',
  },
  syscalls: {
    kind: 'flag',
    default: false,
    doc: "Count the server's syscalls over the measured window (perf stat on syscall tracepoints).",
  },
  'profile-dir': { kind: 'string', default: 'tmp/bench-profiles', doc: 'Where --profile writes.' },
  fault: {
    kind: 'fault',
    default: undefined,
    doc: 'kill-gateway: SIGKILL the gateway halfway through (proves the run reports LOST).',
  },
  build: {
    kind: 'flag',
    default: true,
    doc: 'Build the app bundles first (nx, cached); --no-build runs what is in dist/.',
  },
  'ready-timeout': {
    kind: 'int',
    default: 90,
    min: 1,
    doc: 'Seconds a started service may take to be ready (its restore included) before the run fails.',
  },
};

const connectConcurrency: Spec = {
  kind: 'int',
  default: 200,
  min: 1,
  doc: 'Handshakes in flight per client process while connecting.',
};
const peer: Spec = {
  kind: 'peer',
  default: 'none',
  doc: 'Also measure another server in the same run: centrifugo (Centrifugo v6, built once with Go; docs/benchmarks.md).',
};
const postThreads: Spec = {
  kind: 'int',
  default: 100,
  min: 1,
  doc: 'Threads the comments go to, round-robin.',
};

export const SPECS: Record<Scenario, Record<string, Spec>> = {
  fanout: {
    sockets: {
      kind: 'int',
      default: 10_000,
      min: 1,
      doc: 'Subscribed sockets, spread evenly over the channels.',
    },
    channels: {
      kind: 'int',
      default: 100,
      min: 1,
      doc: 'Channels (thread:<id>); each socket subscribes to one.',
    },
    events: {
      kind: 'int',
      default: 5000,
      min: 1,
      doc: 'Events to inject (round-robin over the channels); with --rate and --duration: rate x duration.',
    },
    rate: { kind: 'rate', default: 0, doc: 'Events per second, or "max" (flat out).' },
    duration: {
      kind: 'int',
      default: undefined,
      min: 1,
      doc: 'Seconds to inject at --rate (sets --events).',
    },
    'event-bytes': {
      kind: 'int',
      default: 300,
      min: 200,
      max: 60_000,
      doc: 'Size of each frame clients receive.',
    },
    baseline: {
      kind: 'flag',
      default: true,
      doc: 'Also measure the naive ws server (--no-baseline skips it).',
    },
    peer,
    concurrency: connectConcurrency,
  },
  pipeline: {
    rate: { kind: 'rate', default: 500, doc: 'Comments per second posted to ingest (not "max").' },
    threads: postThreads,
    sockets: { kind: 'int', default: 5000, min: 1, doc: 'Sockets, spread evenly over the threads.' },
    duration: { kind: 'int', default: 30, min: 1, doc: 'Seconds of posting (after the warm-up).' },
    warmup: { kind: 'int', default: 5, min: 0, doc: 'Seconds of posting at the rate before measuring.' },
    concurrency: connectConcurrency,
  },
  connect: {
    sockets: {
      kind: 'int',
      default: 10_000,
      min: 1,
      doc: 'Connections to open, each subscribing to one channel.',
    },
    channels: { kind: 'int', default: 1000, min: 1, doc: 'Channels the sockets subscribe to.' },
    rate: { kind: 'rate', default: 0, doc: 'New connections per second over all clients, or "max".' },
    concurrency: { kind: 'int', default: 200, min: 1, doc: 'Handshakes in flight per client process.' },
    'idle-ms': { kind: 'int', default: 3000, min: 0, doc: 'Idle time before the memory reading.' },
    peer,
  },
  capacity: {
    'start-rate': { kind: 'int', default: 100, min: 1, doc: 'Comments per second of the first step.' },
    'max-rate': {
      kind: 'int',
      default: 6400,
      min: 1,
      doc: 'The rate doubles each step up to this one (the last step runs at it).',
    },
    'step-duration': { kind: 'int', default: 20, min: 1, doc: 'Seconds measured per step.' },
    settle: {
      kind: 'int',
      default: 3,
      min: 0,
      doc: 'Seconds of posting at the step rate before each step is measured.',
    },
    'p99-ms': {
      kind: 'int',
      default: 200,
      min: 1,
      doc: 'The bar: a step whose e2e p99 (accept -> receipt) is over it ends the ramp.',
    },
    threads: postThreads,
    sockets: { kind: 'int', default: 1000, min: 1, doc: 'Sockets, spread evenly over the threads.' },
    concurrency: connectConcurrency,
  },
  state: {
    users: { kind: 'int', default: 1_000_000, min: 1, doc: 'Users seeded into the users topic.' },
    comments: {
      kind: 'int',
      default: 1_000_000,
      min: 3,
      doc: "Comments seeded into enrich's and route's stores' changelogs (round-robin over --threads).",
    },
    threads: { kind: 'int', default: 100_000, min: 1, doc: 'Threads seeded into the threads topic.' },
    votes: {
      kind: 'int',
      default: 1_000_000,
      min: 0,
      doc: "Votes seeded into route.votes-changelog (one record each), the hot comment's included.",
    },
    'hot-voters': {
      kind: 'int',
      default: 100_000,
      min: 0,
      doc: 'Of --votes, the voters on one comment (all seeded: no cap).',
    },
    'voters-per-comment': {
      kind: 'int',
      default: 10,
      min: 1,
      doc: 'The other votes go to comments in turn, this many voters each.',
    },
    'probe-votes': {
      kind: 'int',
      default: 1000,
      min: 1,
      doc: 'Votes sent through the stages per measurement of changelog bytes per vote.',
    },
    rate: { kind: 'rate', default: 200, doc: 'Pipeline run after the restarts: comments per second.' },
    duration: { kind: 'int', default: 10, min: 1, doc: 'Pipeline run: seconds measured.' },
    warmup: { kind: 'int', default: 2, min: 0, doc: 'Pipeline run: seconds of warm-up.' },
    sockets: { kind: 'int', default: 1000, min: 1, doc: 'Pipeline run: sockets (over up to 100 threads).' },
    'ready-timeout': {
      kind: 'int',
      default: 600,
      min: 1,
      doc: 'Seconds a started stage may take to restore and be ready before the run fails.',
    },
  },
};

export type Values = Record<string, number | string | boolean | undefined>;

export interface ParsedOptions {
  scenario: Scenario;
  values: Values;
}

export class UsageError extends Error {}

export function usage(): string {
  const lines = [
    'usage: npm run bench -- <scenario> [options]',
    '       npm run bench -- profile <file.cpuprofile>...   (top self time of any V8 CPU profile)',
    '',
  ];
  const show = (specs: Record<string, Spec>) => {
    for (const [name, s] of Object.entries(specs)) {
      const arg =
        s.kind === 'flag'
          ? ''
          : s.kind === 'rate'
            ? ' <n|max>'
            : s.kind === 'fault'
              ? ' kill-gateway'
              : s.kind === 'impl'
                ? ' raw|ws'
                : s.kind === 'peer'
                  ? ' none|centrifugo'
                  : ' <n>';
      const def =
        s.default === undefined || s.kind === 'flag'
          ? ''
          : ` (default ${s.kind === 'rate' && s.default === 0 ? 'max' : s.default})`;
      lines.push(`  --${name}${s.kind === 'string' ? ' <value>' : arg}`.padEnd(30) + `${s.doc}${def}`);
    }
  };
  for (const sc of SCENARIOS) {
    lines.push(`${sc}: ${ABOUT[sc]}`);
    show(SPECS[sc]);
    lines.push('');
  }
  lines.push('every scenario:');
  show(common);
  return lines.join('\n');
}

export function parseOptions(argv: string[]): ParsedOptions {
  const [scenario, ...rest] = argv;
  if (scenario === undefined || !SCENARIOS.includes(scenario as Scenario)) {
    throw new UsageError(
      scenario === undefined
        ? `name a scenario: ${SCENARIOS.join(', ')}`
        : `unknown scenario ${JSON.stringify(scenario)}: ${SCENARIOS.join(', ')}`,
    );
  }
  // A scenario's own default (e.g. state's longer ready timeout) wins over the common one.
  const specs = { ...common, ...SPECS[scenario as Scenario] };
  const options: Record<string, { type: 'string' | 'boolean' }> = {};
  for (const [name, s] of Object.entries(specs)) {
    options[name] = { type: s.kind === 'flag' ? 'boolean' : 'string' };
    if (s.kind === 'flag') options[`no-${name}`] = { type: 'boolean' };
  }
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({ args: rest, options, strict: true, allowPositionals: false });
  } catch (e) {
    throw new UsageError(`${scenario}: ${(e as Error).message}`);
  }
  const raw = parsed.values as Record<string, string | boolean | undefined>;
  const values: Values = {};
  for (const [name, s] of Object.entries(specs)) {
    const v = raw[name];
    if (s.kind === 'flag') {
      values[name] = raw[`no-${name}`] ? false : v === true ? true : (s.default as boolean);
      continue;
    }
    if (v === undefined) {
      values[name] = s.default;
      continue;
    }
    values[name] = convert(name, s, v as string);
  }
  if ((scenario === 'pipeline' || scenario === 'state') && values.rate === 0) {
    throw new UsageError(`--rate: the ${scenario} scenario posts at a rate (comments per second), not "max"`);
  }
  if (scenario === 'capacity') {
    if ((values['start-rate'] as number) > (values['max-rate'] as number)) {
      throw new UsageError('--start-rate: must not be above --max-rate');
    }
    // A profile or syscall count over a whole ramp mixes every rate; a pipeline run at the rate
    // of interest gives them.
    for (const o of ['profile', 'syscalls']) {
      if (values[o]) throw new UsageError(`--${o}: not for capacity; run pipeline --rate <n> --${o}`);
    }
  }
  if (scenario === 'fanout' && values.duration !== undefined) {
    if (values.rate === 0) throw new UsageError('--duration: needs --rate (events per second)');
    values.events = (values.rate as number) * (values.duration as number);
  }
  return { scenario: scenario as Scenario, values };
}

function convert(name: string, s: Spec, v: string): number | string {
  if (s.kind === 'string') return v;
  if (s.kind === 'fault') {
    if (v !== 'kill-gateway')
      throw new UsageError(`--${name}: expected kill-gateway, got ${JSON.stringify(v)}`);
    return v;
  }
  if (s.kind === 'peer') {
    if (v !== 'none' && v !== 'centrifugo')
      throw new UsageError(`--${name}: expected none or centrifugo, got ${JSON.stringify(v)}`);
    return v;
  }
  if (s.kind === 'impl') {
    if (v !== 'raw' && v !== 'ws')
      throw new UsageError(`--${name}: expected raw or ws, got ${JSON.stringify(v)}`);
    return v;
  }
  if (s.kind === 'rate' && v === 'max') return 0;
  const n = Number(v.replace(/_/g, ''));
  if (!/^[0-9_]+$/.test(v) || !Number.isSafeInteger(n)) {
    throw new UsageError(
      `--${name}: expected a whole number${s.kind === 'rate' ? ' or "max"' : ''}, got ${JSON.stringify(v)}`,
    );
  }
  const min = s.min ?? (s.kind === 'rate' ? 1 : 0);
  if (n < min) throw new UsageError(`--${name}: must be at least ${min}, got ${n}`);
  if (s.max !== undefined && n > s.max) throw new UsageError(`--${name}: must be at most ${s.max}, got ${n}`);
  return n;
}
