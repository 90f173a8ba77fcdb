import { run } from './cli';
import { BASE, recording, replayFetch, runRecorded } from './testing/recording';
import { formatMs } from './waterfall';

const { fast, slow, vote, stuck } = recording.journeys;

/** The waterfall lines (one per span) of an output, without header and totals. */
const spanLines = (out: string) => out.split('\n').filter((l) => /^\s+\d/.test(l));

describe('trace <commentId>', () => {
  it('prints every trace of the comment, oldest first: its creation, then its vote', async () => {
    const r = await runRecorded([fast.commentId]);
    expect(r.code).toBe(0);
    const headers = r.out.split('\n').filter((l) => l.startsWith('trace '));
    expect(headers).toHaveLength(2);
    expect(headers[0]).toContain(`trace ${fast.traceId}  comment ${fast.commentId}  thread ${fast.threadId}`);
    expect(headers[1]).toContain(`trace ${vote.traceId}`);
    expect(r.out).toContain('POST /v1/threads/:threadId/comments/:id/votes');
  });

  it('searches the stages that know comment.id, in the window before now', async () => {
    const r = await runRecorded([fast.commentId, '--since', '24h']);
    const searches = r.calls.map((c) => new URL(c)).filter((u) => u.pathname === '/api/traces');
    expect(searches.map((u) => u.searchParams.get('service')).sort()).toEqual([
      'threadcast-enrich',
      'threadcast-ingest',
      'threadcast-route',
    ]);
    for (const u of searches) {
      expect(JSON.parse(u.searchParams.get('tags')!)).toEqual({ 'comment.id': fast.commentId });
      expect(Number(u.searchParams.get('end'))).toBe(recording.recordedAtMs * 1000);
      expect(Number(u.searchParams.get('start'))).toBe((recording.recordedAtMs - 86_400_000) * 1000);
    }
  });

  it('draws one line per span, sorted by start, children indented under their parents', async () => {
    const r = await runRecorded([fast.traceId]);
    const lines = spanLines(r.out);
    expect(lines).toHaveLength(fast.spans);
    const starts = lines.map((l) => Number(l.trim().split(/\s+/)[0]));
    expect(starts).toEqual([...starts].sort((a, b) => a - b));
    expect(starts[0]).toBe(0);
    const services = lines.map((l) => l.trim().split(/\s+/)[2]);
    expect(services).toEqual([
      'ingest',
      'ingest',
      'enrich',
      'enrich',
      'route',
      'route',
      'gateway',
      'gateway',
    ]);
    // Each hop is a child of the one before: ingest HTTP -> publish -> process -> publish ...
    const nameColumn = r.out
      .split('\n')
      .find((l) => l.includes('start ms'))!
      .indexOf('span');
    const indent = (name: string) => lines.find((l) => l.includes(` ${name}`))!.indexOf(name) - nameColumn;
    expect(indent('POST /v1/threads')).toBe(0);
    expect(indent('publish comments ')).toBe(2);
    expect(indent('process comments ')).toBe(4);
    expect(indent('process comments.enriched')).toBe(8);
    expect(indent('fan-out deliveries')).toBe(12);
  });

  it('shows start offset and duration in ms, as the spans were sent', async () => {
    const r = await runRecorded([slow.traceId]);
    const route = spanLines(r.out).find((l) => l.includes('process comments.enriched'))!;
    const [start, dur] = route.trim().split(/\s+/);
    // route picked the record up 12 ms + 2.5 s of lag after the accept and took 3 ms.
    expect(start).toBe(formatMs(2512));
    expect(dur).toBe(formatMs(3));
  });

  it('shows Kafka topic, partition and offset, channel, sockets and gateway pod on the hops that have them', async () => {
    const r = await runRecorded([fast.traceId]);
    const lines = spanLines(r.out);
    expect(lines.find((l) => l.includes('process comments '))).toMatch(/\| comments p=3 offset=41$/);
    expect(lines.find((l) => l.includes('publish deliveries'))).toMatch(
      /\| deliveries p=3 offset=9 channel=thread:t-hello$/,
    );
    const fanOuts = lines.filter((l) => l.includes('fan-out deliveries'));
    expect(fanOuts[0]).toMatch(/channel=thread:t-hello sockets=2 pod=gateway-0$/);
    expect(fanOuts[1]).toMatch(/channel=thread:t-hello sockets=1 pod=gateway-1$/);
  });

  it('totals accept -> socket from the first span to the end of the last gateway fan-out', async () => {
    const r = await runRecorded([fast.traceId]);
    expect(r.out).toContain(
      `accept -> socket: ${formatMs(fast.lastFanOutEndMs!)} ms (first span start to the end of the last of 2 gateway fan-out spans)`,
    );
    // The gateway's own measurement (threadcast.e2e_latency_ms), the larger of the two pods'.
    expect(r.out).toContain(`gateway-measured accept -> write: ${formatMs(fast.lastFanOutEndMs! - 0.5)} ms`);
  });

  it('says a comment that never reached the gateway is not delivered, and shows the failed hop', async () => {
    const r = await runRecorded([stuck.commentId]);
    expect(r.code).toBe(0);
    expect(spanLines(r.out)).toHaveLength(stuck.spans);
    expect(r.out).toMatch(/process comments .*ERROR: dead-lettered: thread_closed/);
    expect(r.out).toContain(
      'accept -> socket: not delivered: no threadcast-gateway fan-out span in this trace',
    );
  });

  it('takes a traceparent header value as its trace id', async () => {
    const r = await runRecorded([`00-${fast.traceId}-0123456789abcdef-01`]);
    expect(r.code).toBe(0);
    expect(r.out.split('\n')[0]).toContain(`trace ${fast.traceId}`);
  });
});

describe('trace: not there (yet)', () => {
  it('exits 1 with a retry hint for a comment without traces', async () => {
    const r = await runRecorded(['cNeverPosted04']);
    expect(r.code).toBe(1);
    expect(r.out).toBe('');
    expect(r.err).toContain(
      'no trace for comment cNeverPosted04 yet: spans are exported in batches every few seconds; retry',
    );
  });

  it('exits 1 for an unknown trace id, after also trying it as a comment id', async () => {
    const r = await runRecorded([recording.unknownTraceId]);
    expect(r.code).toBe(1);
    expect(r.err).toContain(`no trace ${recording.unknownTraceId} yet: spans are exported in batches`);
    expect(r.calls.some((c) => c.includes(`/api/traces/${recording.unknownTraceId}`))).toBe(true);
    expect(r.calls.some((c) => c.includes('service=threadcast-ingest'))).toBe(true);
  });

  it('exits 1 naming the URL when Jaeger cannot be reached', async () => {
    let err = '';
    const refused = async () => {
      throw new TypeError('fetch failed', {
        cause: Object.assign(new Error('connect'), { code: 'ECONNREFUSED' }),
      });
    };
    const code = await run([fast.commentId], {
      env: { JAEGER_QUERY_URL: 'http://127.0.0.1:1' },
      fetch: refused,
      out: () => {},
      err: (t) => (err += t),
    });
    expect(code).toBe(1);
    expect(err).toContain('cannot reach Jaeger at http://127.0.0.1:1 (ECONNREFUSED)');
  });
});

describe('trace --slowest', () => {
  it('ranks the delivered comments of the window by accept -> socket time, slowest first', async () => {
    const r = await runRecorded(['--slowest', '10', '--since', '5m']);
    expect(r.code).toBe(0);
    const rows = r.out.split('\n').filter((l) => /^\s+\d+\s/.test(l));
    // The dead-lettered comment never reached the gateway: not in the ranking.
    expect(rows).toHaveLength(3);
    const cells = rows.map((l) => l.trim().split(/\s+/));
    expect(cells.map((c) => c[0])).toEqual(['1', '2', '3']);
    expect(cells[0]!.slice(1, 5)).toEqual([
      formatMs(slow.lastFanOutEndMs!),
      slow.commentId,
      slow.threadId,
      slow.traceId,
    ]);
    // Equal totals: the earlier first.
    expect(cells.slice(1).map((c) => c[4])).toEqual([fast.traceId, vote.traceId]);
    expect(cells.slice(1).map((c) => c[1])).toEqual([
      formatMs(fast.lastFanOutEndMs!),
      formatMs(vote.lastFanOutEndMs!),
    ]);
  });

  it('searches the gateway service in the window', async () => {
    const r = await runRecorded(['--slowest', '2', '--since', '5m']);
    const u = new URL(r.calls[0]!);
    expect(u.searchParams.get('service')).toBe('threadcast-gateway');
    expect(Number(u.searchParams.get('start'))).toBe((recording.recordedAtMs - 300_000) * 1000);
    expect(r.out.split('\n').filter((l) => /^\s+\d+\s/.test(l))).toHaveLength(2);
  });
});

describe('trace: arguments', () => {
  it('reads the URL from JAEGER_QUERY_URL', async () => {
    const r = await runRecorded([fast.traceId], { JAEGER_QUERY_URL: 'http://other:9999' });
    expect(r.calls[0]).toBe(`http://other:9999/api/traces/${fast.traceId}`);
  });

  it.each([
    [[fast.commentId, '--slowest', '3'], 'give an id or --slowest, not both'],
    [[], 'give a comment id, a trace id or --slowest N'],
    [['--slowest', '0'], '--slowest: not a positive whole number'],
    [[fast.commentId, '--since', 'yesterday'], '--since: not a duration'],
    [['bad id!'], 'not a comment id or trace id'],
    [[fast.commentId, '--url', 'localhost:16686'], '--url: not an http(s) URL'],
    [['a', 'b'], 'one comment or trace id at a time'],
  ])('exits 2 with the usage for %j', async (argv, message) => {
    let err = '';
    const code = await run(argv, {
      env: {},
      fetch: replayFetch(BASE),
      out: () => {},
      err: (t) => (err += t),
    });
    expect(code).toBe(2);
    expect(err).toContain(message);
    expect(err).toContain('usage: npm run trace');
  });
});
