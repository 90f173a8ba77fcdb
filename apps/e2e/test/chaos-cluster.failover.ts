import { TOPICS, type ClientCommentCreated } from '@threadcast/contracts';
import { createKafka, partitionForKey, readTopic, type InRecord } from '@threadcast/kafka';
import { createLogger } from '@threadcast/runtime';
import {
  createFigures,
  expectDelivered,
  longestDeliveryGap,
  startTraffic,
  trackReadiness,
  waitUntil,
  watch,
  type SeenEvent,
  type Traffic,
  type Watcher,
} from './chaos-kit';
import { ownCluster, type OwnCluster } from './own-cluster';
import { isReady, metricSum, startPipeline, startService, type RunningService } from './services';

const PARTITIONS = 3;
/** The author of a thread's nth comment: tells which post a shown comment was. */
const author = (thread: string, n: number) => `a${n}-${thread}`;
const SCENARIO_TIMEOUT_MS = 240_000;
const RESENT = 'threadcast_kafka_records_resent_total';

type Pipeline = Awaited<ReturnType<typeof startPipeline>>;

/** One thread name per partition, `prefix-<k>` with the smallest k for each. */
function threadPerPartition(prefix: string): string[] {
  const threads: string[] = [];
  const taken = new Set<number>();
  for (let k = 0; threads.length < PARTITIONS; k++) {
    const t = `${prefix}-${k}`;
    const partition = partitionForKey(t, PARTITIONS);
    if (taken.has(partition)) continue;
    taken.add(partition);
    threads.push(t);
  }
  return threads;
}

/** Polls the stages' consumer groups; records each change of state (and member count). */
function trackGroups(cluster: OwnCluster, groupIds: string[]) {
  const changes: { group: string; state: string; at: number }[] = [];
  const last = new Map<string, string>();
  let stopped = false;
  const loop = (async () => {
    while (!stopped) {
      let states: [string, string][];
      try {
        const { groups } = await cluster.admin.describeGroups(groupIds);
        states = groups.map((g) => [g.groupId, `${g.state}/${g.members.length}`]);
      } catch {
        states = groupIds.map((g) => [g, 'unreachable']);
      }
      for (const [group, state] of states) {
        if (last.get(group) !== state) {
          last.set(group, state);
          changes.push({ group, state, at: Date.now() });
        }
      }
      await new Promise((r) => setTimeout(r, 250));
    }
  })();
  return {
    changes,
    async stop() {
      stopped = true;
      await loop;
    },
  };
}

/** Time from `since` until the last change to `good` after it; 0 when nothing changed. */
function recoveredAfter<T extends { at: number }>(changes: T[], since: number, good: (c: T) => boolean) {
  const after = changes.filter((c) => c.at >= since);
  if (after.length === 0) return 0;
  const lastGood = after.filter(good).at(-1);
  return lastGood ? lastGood.at - since : -1;
}

// Issue 18: a three-broker KRaft cluster (RF 3, min.insync.replicas 2), the pipeline with two
// gateway pods on it, comments posted to three threads (one per partition) and read on a socket
// through each gateway while brokers go away. Nothing is restarted but the brokers.
describe('chaos: a three-broker cluster loses its leader and is restarted broker by broker', () => {
  let cluster: OwnCluster;
  let p: Pipeline;
  let gateway2: RunningService;
  const run = Math.random().toString(36).slice(2, 8);
  const figures = createFigures('broker cluster');
  const watchers: Watcher[] = [];
  let traffic: Traffic | undefined;
  const services = () => [p.ingest, p.enrich, p.route, p.gateway, gateway2];
  const label = (s: RunningService) => (s === gateway2 ? 'gateway2' : s.name);

  beforeAll(async () => {
    cluster = await ownCluster(3);
    const all = {
      KAFKA_BROKERS: cluster.brokers,
      OTEL_SDK_DISABLED: 'true',
      KAFKA_REPLICATION_FACTOR: '3',
      KAFKA_PARTITIONS: String(PARTITIONS),
      // No pod is killed here: the stages keep the deployed session timeout, which rides out a
      // broker's fencing (9 s). The e2e tests' 6 s evicted them while their coordinator moved.
      KAFKA_SESSION_TIMEOUT_MS: '30000',
    };
    p = await startPipeline({ all });
    gateway2 = await startService('gateway', all);
  }, 180_000);
  afterAll(async () => {
    await traffic?.stop();
    for (const w of watchers) w.close();
    await p?.stop();
    await gateway2?.stop();
    await cluster?.stop();
    figures.print();
  });

  /**
   * Comments at 5/s to each of three threads, one per partition (so that every produce request
   * spans brokers), a socket on all three through each gateway; `fault` runs once everything
   * flows and the cluster is fully in sync, is given the first thread, and must leave the cluster
   * fully in sync again. Then: every 202 delivered exactly once to both sockets, in order per
   * thread; nothing refused shown.
   */
  async function scenario(
    name: string,
    fault: (thread: string) => Promise<{
      /** When a broker was SIGKILLed, if one was. */
      killedAt?: number;
      /** From the kill until a new leader of the thread's partition was seen. */
      noLeader?: { from: number; to: number };
      [figure: string]: unknown;
    }>,
  ) {
    const threads = threadPerPartition(`t-${name}-${run}`);
    const thread = threads[0]!;
    const channel = `thread:${thread}`;
    const channels = threads.map((t) => `thread:${t}`);
    const readers = [watch(p.gatewayUrl, channels), watch(`ws://127.0.0.1:${gateway2.port}/ws`, channels)];
    watchers.push(...readers);
    await Promise.all(readers.map((w) => w.subscribed()));
    traffic = startTraffic({ ingestUrl: p.ingestUrl, threads, perSecond: 5, author });
    await traffic.waitForAcks(30);
    await waitUntil('first deliveries on both sockets', () =>
      readers.every((w) => channels.every((c) => w.seen.get(c)!.length >= 3)),
    );
    const readiness = trackReadiness(services, label);
    const groups = trackGroups(cluster, [p.groups.enrich, p.groups.route]);
    await waitUntil('the tracker to see everything ready', () => readiness.history.size === 5);
    expect([...readiness.history.values()].every((h) => h.at(-1) === true)).toBe(true);

    // Records a produce request's answer left out, sent again by the keyed producer (a
    // partition's leader moved while kafkajs retried the request).
    const producers = () => [p.ingest, p.enrich, p.route];
    const resentBefore = await Promise.all(producers().map((s) => metricSum(s, RESENT)));
    const faultAt = Date.now();
    const faultFigures = await fault(thread);
    await waitUntil(
      'every service to report ready',
      async () => (await Promise.all(services().map(isReady))).every(Boolean),
      90_000,
    );
    // Writes flow again after the fault, and everything written reaches both sockets.
    await traffic.waitForAcks(10);
    await traffic.stop();
    const resent = await Promise.all(
      producers().map((s, i) => metricSum(s, RESENT).then((n) => n - resentBefore[i]!)),
    );
    await readiness.stop();
    await groups.stop();
    let delivered;
    try {
      delivered = await expectDelivered(traffic, readers, 60_000);
    } catch (e) {
      throw new Error(`${(e as Error).message}\n${await diagnose(threads, readers)}`, { cause: e });
    }

    // A post refused (503, or no answer) while the thread's partition had no leader was not
    // written. The one exception Kafka allows: a write the leader had already replicated when it
    // was SIGKILLed, before it could answer (ingest says 503 after its timeout; the client's retry
    // with its Idempotency-Key resolves it). So a comment shown without a 202 must have been
    // posted before the kill; without a kill, there must be none.
    const authorsShown = new Set(
      readers.flatMap((w) =>
        channels.flatMap((c) =>
          w.seen
            .get(c)!
            .filter((e) => e.event.type === 'comment.created')
            .map((e) => (e.event as ClientCommentCreated).author.id),
        ),
      ),
    );
    const written = (a: { thread: string; n: number }) => authorsShown.has(author(a.thread, a.n));
    const refused = traffic.answers.filter((a) => a.status !== 202);
    const { killedAt, noLeader } = faultFigures;
    if (noLeader) {
      const refusedNoLeader = refused.filter(
        (a) => a.thread === thread && a.startedAt >= noLeader.from && a.at <= noLeader.to,
      );
      expect(refusedNoLeader.filter(written)).toEqual([]);
    }
    const refusedButWritten = refused.filter(written);
    for (const a of refusedButWritten) expect(a.startedAt).toBeLessThanOrEqual(killedAt ?? -1);
    expect(delivered.unacknowledgedShown).toBe(refusedButWritten.length * readers.length);
    // Nobody but the brokers was restarted.
    for (const s of services()) expect(s.child.exitCode).toBeNull();
    const readyAgainMs = Object.fromEntries(
      services().map((s) => [
        label(s),
        recoveredAfter(
          readiness.changes.filter((c) => c.service === label(s)),
          faultAt,
          (c) => c.ready,
        ),
      ]),
    );
    const rejoinedMs = Object.fromEntries(
      [p.groups.enrich, p.groups.route].map((g, i) => [
        i === 0 ? 'enrich' : 'route',
        recoveredAfter(
          groups.changes.filter((c) => c.group === g),
          faultAt,
          (c) => c.state.startsWith('Stable/'),
        ),
      ]),
    );
    const { killedAt: _k, noLeader: _n, ...figuresOfFault } = faultFigures;
    const gap = longestDeliveryGap(readers, channel);
    const gapEndSpentMs = await pauseSpentIn(thread, gap.end);
    const result = {
      ...figuresOfFault,
      refusedButWritten: refusedButWritten.length,
      recordsResent: Object.fromEntries(producers().map((s, i) => [s.name, resent[i]])),
      ...delivered,
      refusedAnswers: traffic.refused(),
      longestDeliveryGapMs: gap.ms,
      longestGapStartedAfterFaultMs: gap.from - faultAt,
      gapEndSpentMs,
      longestPostMs: Math.max(...traffic.answers.map((a) => a.at - a.startedAt)),
      readyAgainMs,
      groupStableAgainMs: rejoinedMs,
      groupChanges: groups.changes
        .filter((c) => c.at >= faultAt)
        .map((c) => `${c.at - faultAt}ms ${c.group === p.groups.enrich ? 'enrich' : 'route'} ${c.state}`),
      reconnects: readers.reduce((n, w) => n + w.reconnects, 0),
    };
    console.log(`chaos cluster (${name}): ${JSON.stringify(result)}`);
    figures.add(result);
    return result;
  }

  /** Hands every record of `topic` now in the cluster to `onRecord` (gives up after 15 s). */
  async function readWhole(topic: string, onRecord: (r: InRecord) => void): Promise<void> {
    const logger = createLogger({ service: 'e2e-diagnose', level: 'silent' });
    const kafka = createKafka(
      { KAFKA_BROKERS: cluster.brokers.split(','), KAFKA_SSL: false, KAFKA_SASL_MECHANISM: 'none' },
      logger,
      'e2e-diagnose',
    );
    const reader = await readTopic({
      kafka,
      topic,
      groupId: `e2e-diagnose-${topic}-${Date.now()}`,
      fromBeginning: true,
      logger,
      onRecord,
    });
    await Promise.race([reader.caughtUp, new Promise((r) => setTimeout(r, 15_000))]);
    await reader.stop();
  }

  /**
   * Where the longest pause a reader saw was spent: for the comment that ended it (`end`, on the
   * thread's channel), ms from its POST to its record in each topic (the producing stage's
   * timestamp) and to the socket.
   */
  async function pauseSpentIn(thread: string, end: SeenEvent | undefined): Promise<Record<string, number>> {
    if (!end || end.event.type !== 'comment.created') return {};
    const id = end.id;
    const n = Number(/^a(\d+)-/.exec((end.event as ClientCommentCreated).author.id)?.[1]);
    const posted = traffic!.answers.find((a) => a.thread === thread && a.n === n)?.startedAt;
    if (posted === undefined) return {};
    const spent: Record<string, number> = {};
    for (const topic of [TOPICS.comments, TOPICS.commentsEnriched, TOPICS.deliveries]) {
      await readWhole(topic, (r) => {
        if (spent[topic] === undefined && r.value?.toString().includes(id))
          spent[topic] = Number(r.timestamp) - posted;
      });
    }
    spent.socket = end.at - posted;
    return spent;
  }

  /** Where the comments a socket misses are: which topics hold them, and what the services said. */
  async function diagnose(threads: string[], readers: Watcher[]): Promise<string> {
    const missing = readers.map((w) =>
      threads.flatMap((thread) => {
        const shown = new Set(w.seen.get(`thread:${thread}`)!.map((e) => e.id));
        return traffic!.acked
          .get(thread)!
          .filter((a) => !shown.has(a.id))
          .map((a) => a.id);
      }),
    );
    const ids = new Set(missing.flat());
    const found: Record<string, string[]> = {};
    // Per topic and thread, the comments in partition order by their number (the author
    // `a<n>-<thread>`): where a number comes before a smaller one not seen before, that topic
    // broke the order.
    const disorder: Record<string, string[]> = {};
    const nOf = /"a(\d+)-(t-[^"]+)"/;
    for (const topic of [TOPICS.comments, TOPICS.commentsEnriched, TOPICS.deliveries, TOPICS.dlq]) {
      const hits: string[] = [];
      const seen = new Map(threads.map((t) => [t, new Set<number>()]));
      const highest = new Map(threads.map((t) => [t, -1]));
      const out: string[] = [];
      await readWhole(topic, (r) => {
        const value = r.value?.toString() ?? '';
        for (const id of ids) if (value.includes(id)) hits.push(`${id}@p${r.partition}/${r.offset}`);
        const n = nOf.exec(value);
        const t = n?.[2];
        if (!n || t === undefined || !seen.has(t)) return;
        const num = Number(n[1]);
        const top = highest.get(t)!;
        if (num < top && !seen.get(t)!.has(num))
          out.push(`${t} #${num} after #${top} at p${r.partition}/${r.offset}`);
        seen.get(t)!.add(num);
        highest.set(t, Math.max(top, num));
      });
      found[topic] = hits;
      disorder[topic] = out;
    }
    const said = services()
      .map((s) => {
        const lines = s.output
          .join('')
          .split('\n')
          .filter((l) => /"level":(40|50|60)/.test(l));
        return `--- ${label(s)} (${lines.length} warnings/errors, last 8)\n${lines.slice(-8).join('\n')}`;
      })
      .join('\n');
    return (
      `missing per socket: ${JSON.stringify(missing)}\nfound in topics: ${JSON.stringify(found)}\n` +
      `first seen out of order, per topic: ${JSON.stringify(disorder)}\n${said}`
    );
  }

  const inSync = () =>
    waitUntil(
      'no under-replicated partition',
      async () => (await cluster.underReplicated().catch(() => -1)) === 0,
      120_000,
    );
  const leaderOf = (partition: number) => cluster.leaderOf(TOPICS.comments, partition).catch(() => -1);

  it(
    'SIGKILL of the broker leading the thread, then back: every 202 delivered once, in order, to both gateways',
    async () => {
      await scenario('leader-kill', async (thread) => {
        const partition = partitionForKey(thread, PARTITIONS);
        const leader = await leaderOf(partition);
        expect(leader).toBeGreaterThan(0);
        const killedAt = Date.now();
        await cluster.node(leader).kill();
        let newLeader = -1;
        await waitUntil('another broker to lead the partition', async () => {
          newLeader = await leaderOf(partition);
          return newLeader > 0 && newLeader !== leader;
        });
        const newLeaderAfterMs = Date.now() - killedAt;
        // Two of three replicas are enough (min.insync.replicas 2): comments are acknowledged again.
        await traffic!.waitForAcks(10);
        const writingAgainAfterMs = Date.now() - killedAt;
        const restartAt = Date.now();
        await cluster.node(leader).start();
        await inSync();
        return {
          killedAt,
          noLeader: { from: killedAt, to: killedAt + newLeaderAfterMs },
          killedBroker: leader,
          newLeader,
          newLeaderAfterMs,
          writingAgainAfterMs,
          brokerBackInSyncMs: Date.now() - restartAt,
        };
      });
    },
    SCENARIO_TIMEOUT_MS,
  );

  it(
    'a rolling restart of all three brokers, waiting for in-sync replicas between them: every 202 delivered once, in order',
    async () => {
      await inSync();
      await scenario('rolling-restart', async () => {
        const restartMs: Record<string, number> = {};
        for (const node of cluster.nodes) {
          const t0 = Date.now();
          await node.stop();
          await node.start();
          await inSync();
          restartMs[`broker${node.id}`] = Date.now() - t0;
          // Comments keep being acknowledged between brokers.
          await traffic!.waitForAcks(3);
        }
        return { restartToInSyncMs: restartMs };
      });
    },
    SCENARIO_TIMEOUT_MS,
  );
});
