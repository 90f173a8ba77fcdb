// The CLI against a real Jaeger: JAEGER_QUERY_URL and OTEL_EXPORTER_OTLP_ENDPOINT come from the
// environment (jest.integration.cjs starts a Jaeger when they are not set).
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { run } from '../src/cli';
import { formatMs } from '../src/waterfall';
import { commentJourney, lastFanOutEndMs, randomHex, sendJourneys, waitForJourneys } from './synthetic-trace';

const queryUrl = process.env.JAEGER_QUERY_URL!;
const otlp = process.env.OTEL_EXPORTER_OTLP_ENDPOINT!;

async function cli(argv: string[]) {
  let out = '';
  let err = '';
  const code = await run(argv, {
    env: { JAEGER_QUERY_URL: queryUrl },
    out: (t) => (out += t),
    err: (t) => (err += t),
  });
  return { code, out, err };
}

describe('trace CLI on a real Jaeger', () => {
  const id = `cIt${randomHex(6)}`;
  const slow = commentJourney({
    commentId: id,
    threadId: `t-${id}`,
    t0Ms: Date.now() - 3000,
    routeDelayMs: 700,
  });

  beforeAll(async () => {
    expect(queryUrl).toMatch(/^http/);
    expect(otlp).toMatch(/^http/);
    await sendJourneys(otlp, [slow]);
    await waitForJourneys(queryUrl, [slow]);
  });

  it('prints the waterfall of a comment it finds by comment.id', async () => {
    const r = await cli([id]);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out.split('\n')[0]).toContain(`trace ${slow.traceId}  comment ${id}`);
    expect(r.out.split('\n').filter((l) => /^\s+\d/.test(l))).toHaveLength(slow.hops.length);
    expect(r.out).toContain(`accept -> socket: ${formatMs(lastFanOutEndMs(slow)!)} ms`);
  });

  it('ranks it among the slowest of the last seconds', async () => {
    // A short window: the shared Jaeger of an integration run also holds the e2e suites' traces,
    // over a thousand a minute, enough to push this one out of a "last minute" search.
    const r = await cli(['--slowest', '50', '--since', '20s']);
    expect(r.code).toBe(0);
    const row = r.out.split('\n').find((l) => l.includes(slow.traceId));
    expect(row?.trim().split(/\s+/).slice(1, 3)).toEqual([formatMs(lastFanOutEndMs(slow)!), id]);
  });

  it('exits 1 with a retry hint for a comment Jaeger has no trace of', async () => {
    const r = await cli([`cNone${randomHex(6)}`]);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(
      /no trace for comment cNone\w+ yet: spans are exported in batches every few seconds; retry/,
    );
  });

  it('works as `node dist/main.js` (what npm run trace runs), exit status included', () => {
    const main = join(__dirname, '..', 'dist', 'main.js');
    const env = { ...process.env, JAEGER_QUERY_URL: queryUrl };
    const found = spawnSync(process.execPath, [main, slow.traceId], { env, encoding: 'utf8' });
    expect(found.status).toBe(0);
    expect(found.stdout).toContain('fan-out deliveries');
    const missing = spawnSync(process.execPath, [main, randomHex(16)], { env, encoding: 'utf8' });
    expect(missing.status).toBe(1);
    expect(missing.stderr).toContain('yet: spans are exported in batches every few seconds; retry');
  });
});
