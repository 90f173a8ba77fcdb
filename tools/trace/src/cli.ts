import { parseArgs } from 'node:util';
import { parseDuration } from './duration';
import { CliError, usageError } from './errors';
import { createJaegerClient, type Fetch } from './jaeger-client';
import { classify, deliveredTraces, findTraces } from './lookup';
import { SERVICES } from './semconv';
import { formatSlowest, rankSlowest } from './slowest';
import { toTraceView } from './trace-view';
import { formatWaterfall } from './waterfall';

export const DEFAULT_URL = 'http://localhost:16686';
const DEFAULT_SINCE_LOOKUP = '24h';
const DEFAULT_SINCE_SLOWEST = '15m';

export const USAGE = `usage: npm run trace -- <commentId | traceId | traceparent> [--since 24h] [--url URL]
       npm run trace -- --slowest 10 [--since 15m] [--limit 1000] [--url URL]

  <commentId>       every trace of the comment (creation, edits, votes), oldest first, as waterfalls
  <traceId>         one trace (32 hex digits; a traceparent header value works too)
  --slowest N       the N comments with the longest accept -> socket time in the window
  --since D         how far back to search: 90s, 15m, 2h, 1d (default ${DEFAULT_SINCE_LOOKUP}; ${DEFAULT_SINCE_SLOWEST} with --slowest)
  --limit N         at most N traces per search (default 1000 with --slowest, 50 otherwise)
  --url URL         Jaeger's query service (default: $JAEGER_QUERY_URL, else ${DEFAULT_URL})
  --width N         width of the timeline bar (default 30)
`;

export interface CliOptions {
  query: string | null;
  slowest: number | null;
  sinceMs: number;
  limit: number;
  url: string;
  width: number;
}

function positiveInt(flag: string, text: string | undefined, fallback: number): number {
  if (text === undefined) return fallback;
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1)
    throw usageError(`${flag}: not a positive whole number: ${JSON.stringify(text)}`);
  return n;
}

/** Returns null for --help. */
export function parseCliArgs(argv: string[], env: Record<string, string | undefined>): CliOptions | null {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        slowest: { type: 'string' },
        since: { type: 'string' },
        limit: { type: 'string' },
        url: { type: 'string' },
        width: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (e) {
    throw usageError((e as Error).message);
  }
  const { values, positionals } = parsed;
  if (values.help) return null;
  if (positionals.length > 1)
    throw usageError(`one comment or trace id at a time, got ${positionals.length}`);
  const query = positionals[0] ?? null;
  const slowest = values.slowest === undefined ? null : positiveInt('--slowest', values.slowest, 10);
  if (query !== null && slowest !== null) throw usageError('give an id or --slowest, not both');
  if (query === null && slowest === null) throw usageError('give a comment id, a trace id or --slowest N');
  const url = values.url ?? env.JAEGER_QUERY_URL ?? DEFAULT_URL;
  if (!/^https?:\/\/[^/]/.test(url)) throw usageError(`--url: not an http(s) URL: ${JSON.stringify(url)}`);
  return {
    query,
    slowest,
    sinceMs: parseDuration(values.since ?? (slowest === null ? DEFAULT_SINCE_LOOKUP : DEFAULT_SINCE_SLOWEST)),
    limit: positiveInt('--limit', values.limit, slowest === null ? 50 : 1000),
    url,
    width: positiveInt('--width', values.width, 30),
  };
}

export interface CliDeps {
  env: Record<string, string | undefined>;
  fetch?: Fetch;
  now?: () => number;
  out: (text: string) => void;
  err: (text: string) => void;
}

/** The whole CLI; resolves with the exit status. */
export async function run(argv: string[], deps: CliDeps): Promise<number> {
  try {
    const opts = parseCliArgs(argv, deps.env);
    if (!opts) {
      deps.out(USAGE);
      return 0;
    }
    const client = createJaegerClient(opts.url, deps.fetch);
    const endMs = (deps.now ?? Date.now)();
    const window = { startMs: endMs - opts.sinceMs, endMs, limit: opts.limit };

    if (opts.slowest !== null) {
      const traces = (await deliveredTraces(client, window)).map(toTraceView);
      const rows = rankSlowest(traces, opts.slowest);
      const since = new Date(window.startMs).toISOString();
      if (!rows.length) {
        deps.out(
          `no delivered comment since ${since}: no ${SERVICES.gateway} fan-out span in ${traces.length} trace(s) ` +
            `at ${client.url}. Spans arrive in batches every few seconds; widen --since or retry.\n`,
        );
        return 0;
      }
      deps.out(
        `slowest ${rows.length} of ${traces.filter((t) => t.acceptToSocketMs !== null).length} delivered ` +
          `comment event(s) since ${since} (accept -> last socket write)\n`,
      );
      deps.out(formatSlowest(rows));
      if (traces.length >= opts.limit) {
        deps.out(
          `(the search hit --limit ${opts.limit}: narrow --since or raise --limit to see every trace)\n`,
        );
      }
      deps.out('waterfall of one: npm run trace -- <trace>\n');
      return 0;
    }

    const traces = await findTraces(client, classify(opts.query!), window);
    deps.out(traces.map((t) => formatWaterfall(toTraceView(t), { barWidth: opts.width })).join('\n'));
    return 0;
  } catch (e) {
    if (e instanceof CliError) {
      deps.err(`trace: ${e.message}\n`);
      if (e.exitCode === 2) deps.err(USAGE);
      return e.exitCode;
    }
    throw e;
  }
}
