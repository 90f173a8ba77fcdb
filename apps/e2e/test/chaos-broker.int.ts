import {
  createFigures,
  expectDelivered,
  sleep,
  startTraffic,
  trackReadiness,
  waitUntil,
  watch,
  type Traffic,
  type Watcher,
} from './chaos-kit';
import { ownBroker, type OwnBroker } from './own-broker';
import { isReady, startPipeline } from './services';

const OUTAGE_MS = 10_000;

// Issue 7: the broker crashes (SIGKILL) while comments flow, stays away 10 s and comes back on the
// same data. The services are not touched: they must notice, refuse writes, and recover alone.
describe('chaos: the broker goes away for 10 s', () => {
  let broker: OwnBroker;
  let p: Awaited<ReturnType<typeof startPipeline>>;
  const run = Math.random().toString(36).slice(2, 8);
  const figures = createFigures('broker outage');
  const watchers: Watcher[] = [];
  let traffic: Traffic | undefined;

  beforeAll(async () => {
    broker = await ownBroker();
    p = await startPipeline({ all: { KAFKA_BROKERS: broker.brokers, OTEL_SDK_DISABLED: 'true' } });
  });
  afterAll(async () => {
    await traffic?.stop();
    for (const w of watchers) w.close();
    await p?.stop();
    await broker?.stop();
    figures.print();
  });

  it('every service reconnects by itself, readiness goes false then true, ingest answers 503 meanwhile, nothing acknowledged is lost', async () => {
    const services = () => [p.ingest, p.enrich, p.route, p.gateway];
    const threads = [1, 2, 3].map((i) => `t-outage-${i}-${run}`);
    const channels = threads.map((t) => `thread:${t}`);
    watchers.push(watch(p.gatewayUrl, channels), watch(p.gatewayUrl, channels));
    await Promise.all(watchers.map((w) => w.subscribed()));
    traffic = startTraffic({ ingestUrl: p.ingestUrl, threads, perSecond: 4, author: (t, n) => `a${n}-${t}` });
    await traffic.waitForAcks(24);
    await waitUntil('first deliveries', () => watchers[0]!.seen.get(channels[0]!)!.length >= 3);
    const readiness = trackReadiness(services);
    await waitUntil('the tracker to see everything ready', () => readiness.history.size === 4);

    const killedAt = Date.now();
    await broker.kill();
    await waitUntil('every service to report not ready', async () =>
      (await Promise.all(services().map(isReady))).every((r) => !r),
    );
    // While Kafka is away ingest refuses writes at once, with a hint when to come back.
    const refused = await fetch(`${p.ingestUrl}/v1/threads/${threads[0]}/comments`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ author: { id: `during-${run}` }, body: 'while the broker is away' }),
    });
    expect(refused.status).toBe(503);
    expect(refused.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(await refused.json()).toMatchObject({ error: { code: 'kafka_unavailable' } });

    await sleep(killedAt + OUTAGE_MS - Date.now());
    await broker.start();
    const backAt = Date.now();
    await waitUntil(
      'every service to report ready again',
      async () => (await Promise.all(services().map(isReady))).every(Boolean),
      90_000,
    );
    const recoveredMs = Date.now() - backAt;
    await traffic.waitForAcks(24);
    await traffic.stop();
    await readiness.stop();
    const delivered = await expectDelivered(traffic, watchers);

    // Nobody was restarted: the same processes reconnected on their own.
    for (const s of services()) expect(s.child.exitCode).toBeNull();
    for (const s of services()) {
      const h = readiness.history.get(s.name)!;
      expect([h[0], h.includes(false), h.at(-1)]).toEqual([true, true, true]);
    }
    const during = traffic.answers.filter((a) => a.at > killedAt && a.at < backAt);
    expect(during.filter((a) => a.status === 503).length).toBeGreaterThan(0);
    const result = {
      faults: 1,
      ...delivered,
      refusedAnswers: traffic.refused(),
      readyAgainAfterMs: recoveredMs,
      reconnects: watchers.reduce((n, w) => n + w.reconnects, 0),
    };
    console.log(`chaos broker: ${JSON.stringify(result)}`);
    figures.add(result);
  });
});
