// Replays src/fixtures/jaeger-recording.json (recorded from a real Jaeger by
// scripts/record-fixtures.ts) as a fetch, for the unit tests.
import recording from '../fixtures/jaeger-recording.json';
import type { Fetch } from '../jaeger-client';
import type { JaegerResponse, JaegerTrace } from '../jaeger-types';

export { recording };
export const BASE = 'http://jaeger.test:16686';

/** A fetch that answers what Jaeger answered to the same request; `calls` lists the URLs asked. */
export function replayFetch(base = BASE): Fetch & { calls: string[] } {
  const calls: string[] = [];
  const f = async (url: string) => {
    calls.push(url);
    if (!url.startsWith(base)) throw new Error(`unexpected base URL: ${url}`);
    const path = url.slice(base.length);
    const hit = recording.exchanges.find((e) => e.path === path);
    if (!hit) throw new Error(`no recorded exchange for ${path}`);
    return new Response(JSON.stringify(hit.body), { status: hit.status });
  };
  return Object.assign(f, { calls });
}

/** The recorded trace with this id, as Jaeger returned it. */
export function recordedTrace(traceId: string): JaegerTrace {
  const hit = recording.exchanges.find((e) => e.path === `/api/traces/${traceId}` && e.status === 200);
  if (!hit) throw new Error(`trace ${traceId} not in the recording`);
  return structuredClone((hit.body as unknown as JaegerResponse).data![0]!);
}

/** Runs the CLI on the recording at the instant it was recorded. */
export async function runRecorded(argv: string[], env: Record<string, string | undefined> = {}) {
  const { run } = await import('../cli');
  let out = '';
  let err = '';
  const fetch = replayFetch(env.JAEGER_QUERY_URL ?? BASE);
  const code = await run(env.JAEGER_QUERY_URL ? argv : [...argv, '--url', BASE], {
    env,
    fetch,
    now: () => recording.recordedAtMs,
    out: (t) => (out += t),
    err: (t) => (err += t),
  });
  return { code, out, err, calls: fetch.calls };
}
