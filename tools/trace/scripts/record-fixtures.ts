// Records src/fixtures/jaeger-recording.json for the unit tests: starts a real Jaeger (the pinned
// build, on free ports), sends it synthetic comment journeys over OTLP/HTTP, runs the CLI against
// it with a fetch that records every exchange, and writes those exchanges and the journeys' ids.
// Run: npx nx run @threadcast/trace:record-fixtures
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
// tools/jaeger is plain ESM shared by the developer scripts, not an Nx project.
// eslint-disable-next-line @nx/enforce-module-boundaries
import { JAEGER_VERSION, startJaeger } from '../../jaeger/jaeger.mjs';
import { run } from '../src/cli';
import {
  commentJourney,
  lastFanOutEndMs,
  randomHex,
  sendJourneys,
  waitForJourneys,
} from '../test/synthetic-trace';

interface Exchange {
  path: string;
  status: number;
  body: unknown;
}

async function main() {
  const dataDir = mkdtempSync(join(tmpdir(), 'threadcast-trace-fixtures-'));
  const jaeger = await startJaeger({ dataDir });
  try {
    const now = Date.now();
    const fast = commentJourney({ commentId: 'cFastComment01', threadId: 't-hello', t0Ms: now - 60_000 });
    const slow = commentJourney({
      commentId: 'cSlowComment02',
      threadId: 't-busy',
      t0Ms: now - 50_000,
      partition: 7,
      routeDelayMs: 2500,
    });
    const vote = commentJourney({
      commentId: 'cFastComment01',
      threadId: 't-hello',
      t0Ms: now - 40_000,
      vote: true,
    });
    const stuck = commentJourney({
      commentId: 'cClosedThread03',
      threadId: 't-closed',
      t0Ms: now - 30_000,
      deadLetter: 'thread_closed',
    });
    const journeys = [fast, slow, vote, stuck];
    await sendJourneys(jaeger.otlpHttpEndpoint, journeys);
    await waitForJourneys(jaeger.queryUrl, journeys);

    const exchanges: Exchange[] = [];
    const recordingFetch = async (url: string, init?: { signal?: AbortSignal }) => {
      const res = await fetch(url, init);
      const text = await res.text();
      exchanges.push({ path: url.slice(jaeger.queryUrl.length), status: res.status, body: JSON.parse(text) });
      return new Response(text, { status: res.status, headers: res.headers });
    };
    const unknownTrace = randomHex(16);
    const runs = [
      [fast.commentId],
      [fast.traceId],
      [slow.traceId],
      [stuck.commentId],
      ['cNeverPosted04'],
      [unknownTrace],
      ['--slowest', '10', '--since', '5m'],
    ];
    for (const argv of runs) {
      const code = await run(argv, {
        env: { JAEGER_QUERY_URL: jaeger.queryUrl },
        fetch: recordingFetch,
        now: () => now,
        out: () => {},
        err: () => {},
      });
      process.stderr.write(`recorded: trace ${argv.join(' ')} (exit ${code})\n`);
    }

    const fixture = {
      about:
        'Recorded from a real Jaeger by tools/trace/scripts/record-fixtures.ts; replayed by the unit tests.',
      jaegerVersion: JAEGER_VERSION,
      recordedAtMs: now,
      journeys: Object.fromEntries(
        Object.entries({ fast, slow, vote, stuck }).map(([name, j]) => [
          name,
          {
            traceId: j.traceId,
            commentId: j.commentId,
            threadId: j.threadId,
            t0Ms: j.t0Ms,
            spans: j.hops.length,
            lastFanOutEndMs: lastFanOutEndMs(j),
          },
        ]),
      ),
      unknownTraceId: unknownTrace,
      runs,
      exchanges,
    };
    const out = resolve('src/fixtures/jaeger-recording.json');
    writeFileSync(out, `${JSON.stringify(fixture, null, 2)}\n`);
    process.stderr.write(`wrote ${out} (${exchanges.length} exchanges)\n`);
  } finally {
    await jaeger.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((e) => {
  process.stderr.write(`${e?.stack ?? e}\n`);
  process.exit(1);
});
