import { randomUUID } from 'node:crypto';
import { channelKey, HEADERS, TOPICS, topicSpecs } from '@threadcast/contracts';
import {
  createKeyedProducer,
  createPartitionReader,
  partitionForKey,
  provisionTopics,
  type PartitionReader,
} from '@threadcast/kafka';

import { Registry } from 'prom-client';
import WebSocket from 'ws';
import { openDeliveryFeed, type KafkaDeliveryFeed } from '../src/delivery-feed';
import { gatewayMetrics } from '../src/gateway-metrics';
import { createGatewayServer, type GatewayServer } from '../src/gateway-server';
import { testKafka } from '@threadcast/test-support';

type Frame = Record<string, unknown> & { op: string; cursor?: string; event?: { n: number } };

// The Kafka half of the gateway on a real broker: only the partitions subscribed to are read,
// from the end or from a cursor, and the cursors are the broker's offsets.
describe('gateway reading deliveries', () => {
  const { kafka, logger } = testKafka('it-gateway');
  const producer = createKeyedProducer(kafka);
  const registry = new Registry();
  const metrics = gatewayMetrics(registry);
  let server: GatewayServer;
  let feed: KafkaDeliveryFeed;
  let replayReader: PartitionReader;
  /** Every readFrom the server asked of the live reader. */
  const liveReads: [number, number][] = [];
  let url: string;
  const sockets: WebSocket[] = [];

  beforeAll(async () => {
    const admin = kafka.admin();
    await admin.connect();
    await provisionTopics(admin, topicSpecs({ partitions: 12, replicationFactor: 1 }));
    await admin.disconnect();
    await producer.connect();
    let deliver: GatewayServer['deliver'] = () => {};
    let replayed: GatewayServer['replayed'] = () => {};
    feed = await openDeliveryFeed({ kafka, instanceId: 'it', logger, metrics, onRecord: (r) => deliver(r) });
    replayReader = await createPartitionReader({
      kafka,
      topic: TOPICS.deliveries,
      groupId: `it-replay-${randomUUID()}`,
      logger,
      onRecord: (r) => replayed(r),
    });
    server = createGatewayServer({
      maxFrameBytes: 4096,
      maxSubscriptions: 10,
      pingIntervalMs: 30_000,
      maxBufferedBytes: 1024 * 1024,
      maxMessagesPerSecond: 100,
      messageBurst: 100,
      maxReplayRecords: 100_000,
      replayBudgetRecords: 1_000_000,
      maxReplays: 100,
      maxSockets: 100,
      maxSocketsPerAddress: 100,
      feed: {
        partitionCount: feed.partitionCount,
        readFrom(partition, offset) {
          liveReads.push([partition, offset]);
          feed.readFrom(partition, offset);
        },
        stop: (partition) => feed.stop(partition),
        isReading: (partition) => feed.isReading(partition),
        bounds: (maxAgeMs) => feed.bounds(maxAgeMs),
      },
      replayReader,
      metrics,
      logger,
    });
    deliver = server.deliver;
    replayed = server.replayed;
    url = `ws://127.0.0.1:${await server.listen(0, '127.0.0.1')}/ws`;
  });
  afterAll(async () => {
    for (const ws of sockets) ws.terminate();
    await server?.close(100);
    await feed?.close();
    await replayReader?.close();
    await producer.disconnect();
  });

  const channelOf = (thread: string) => `thread:${thread}`;
  const partitionOf = (thread: string) => partitionForKey(channelKey(channelOf(thread)), feed.partitionCount);
  const produce = (thread: string, ns: number[]) =>
    producer.send(
      ns.map((n) => ({
        topic: TOPICS.deliveries,
        key: thread,
        value: JSON.stringify({
          op: 'event',
          channel: channelOf(thread),
          event: { type: 'comment.deleted', eventId: `${thread}-${n}`, n },
        }),
        headers: { [HEADERS.channel]: channelOf(thread), [HEADERS.acceptedAt]: String(Date.now()) },
      })),
    );
  /** A thread in a partition nobody reads yet, so each test sees its own partition start. */
  const freshThread = (avoid: number[] = []) => {
    for (;;) {
      const thread = `it-gw-${randomUUID().slice(0, 8)}`;
      const p = partitionOf(thread);
      if (!feed.isReading(p) && !avoid.includes(p)) return thread;
    }
  };

  async function connect() {
    const frames: Frame[] = [];
    const ws = new WebSocket(url);
    sockets.push(ws);
    ws.on('message', (d) => frames.push(JSON.parse(d.toString()) as Frame));
    await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
    const until = async (what: () => boolean, label: string) => {
      const deadline = Date.now() + 20_000;
      while (!what()) {
        if (Date.now() > deadline)
          throw new Error(`timed out waiting for ${label}: ${JSON.stringify(frames)}`);
        await new Promise((r) => setTimeout(r, 20));
      }
    };
    const events = () => frames.filter((f) => f.op === 'event').map((f) => f.event!.n);
    const subscribe = async (thread: string, cursor?: string) => {
      const before = frames.length;
      ws.send(JSON.stringify({ op: 'subscribe', channel: channelOf(thread), cursor }));
      await until(() => frames.slice(before).some((f) => f.op === 'subscribed'), 'subscribed');
      return frames.slice(before);
    };
    return { ws, frames, until, events, subscribe };
  }

  const reading = async () =>
    (await registry.getSingleMetric('threadcast_gateway_partition_reading')!.get()).values
      .filter((v) => v.value === 1)
      .map((v) => Number(v.labels.partition))
      .sort((a, b) => a - b);

  it('reads only subscribed partitions, from the end, with broker offsets as cursors', async () => {
    expect(await reading()).toEqual([]);
    const thread = freshThread();
    const p = partitionOf(thread);
    await produce(thread, [0, 1]); // before the subscription: not delivered
    const c = await connect();
    const [subscribed] = await c.subscribe(thread);
    expect(await reading()).toEqual([p]);
    const start = Number(subscribed!.cursor!.split('-')[1]);
    expect(subscribed!.cursor).toBe(`${p}-${start}`);

    await produce(thread, [2, 3, 4]);
    await c.until(() => c.events().length === 3, 'three events');
    expect(c.events()).toEqual([2, 3, 4]);
    const cursors = c.frames.filter((f) => f.op === 'event').map((f) => f.cursor);
    expect(cursors).toEqual([`${p}-${start + 1}`, `${p}-${start + 2}`, `${p}-${start + 3}`]);

    c.ws.send(JSON.stringify({ op: 'unsubscribe', channel: channelOf(thread) }));
    await c.until(() => c.frames.some((f) => f.op === 'unsubscribed'), 'unsubscribed');
    expect(await reading()).toEqual([]);
  });

  it('replays from a cursor to a newcomer without duplicating anything for a live socket', async () => {
    const thread = freshThread();
    const live = await connect();
    const [subscribed] = await live.subscribe(thread);
    await produce(thread, [0, 1, 2, 3, 4]);
    await live.until(() => live.events().length === 5, 'five live events');
    // A newcomer with the cursor of event 1 gets 2.. again from the log: the reader moves back.
    const cursorAfter1 = live.frames.filter((f) => f.op === 'event')[1]!.cursor!;
    const newcomer = await connect();
    await newcomer.subscribe(thread, cursorAfter1);
    await newcomer.until(() => newcomer.events().length === 3, 'the replay');
    await produce(thread, [5, 6]);
    await newcomer.until(() => newcomer.events().length === 5, 'live events after the replay');
    await live.until(() => live.events().length === 7, 'live events');
    expect(newcomer.events()).toEqual([2, 3, 4, 5, 6]);
    expect(live.events()).toEqual([0, 1, 2, 3, 4, 5, 6]);
    // From the subscription's own cursor: everything.
    const third = await connect();
    await third.subscribe(thread, subscribed!.cursor);
    await third.until(() => third.events().length === 7, 'the whole replay');
    expect(third.events()).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(live.events()).toHaveLength(7);
  });

  it('serves replay storms from the replay reader: the live reader never moves back', async () => {
    const thread = freshThread();
    const p = partitionOf(thread);
    const readsBefore = liveReads.length;
    const live = await connect();
    const [subscribed] = await live.subscribe(thread);
    const from = subscribed!.cursor!;
    const backlog = Array.from({ length: 500 }, (_, i) => i);
    await produce(thread, backlog);
    await live.until(() => live.events().length === 500, 'the backlog, live');
    // Three sockets resume from the partition start over and over, as an attacker would.
    const stormers = [await connect(), await connect(), await connect()];
    for (let round = 0; round < 5; round++) {
      await Promise.all(
        stormers.map(async (c) => {
          c.ws.send(JSON.stringify({ op: 'unsubscribe', channel: channelOf(thread) }));
          await c.subscribe(thread, from);
          // The same cursor again on the channel it now holds: refused.
          c.ws.send(JSON.stringify({ op: 'subscribe', channel: channelOf(thread), cursor: from }));
        }),
      );
      await produce(thread, [500 + round]);
    }
    await live.until(() => live.events().length === 505, 'live events during the storm');
    expect(live.events()).toEqual(Array.from({ length: 505 }, (_, i) => i));
    // Each stormer's last replay, then the live events after it, in order and once each.
    for (const c of stormers) {
      await c.until(() => c.events().slice(-505).join() === live.events().join(), 'a whole replay');
      expect(c.frames.filter((f) => f.op === 'error').every((f) => f.code === 'bad_request')).toBe(true);
    }
    // One start at the log end, never a move back (earlier tests may have read this partition).
    expect(liveReads.slice(readsBefore).filter(([partition]) => partition === p)).toEqual([
      [p, Number(from.split('-')[1])],
    ]);
  });

  it('answers reset for a cursor older than the log start', async () => {
    const thread = freshThread();
    const p = partitionOf(thread);
    await produce(thread, [0, 1, 2]);
    const admin = kafka.admin();
    await admin.connect();
    const offsets = await admin.fetchTopicOffsets(TOPICS.deliveries);
    const high = Number(offsets.find((o) => o.partition === p)!.high);
    // What retention does, on demand: the log now starts at `high`.
    await admin.deleteTopicRecords({
      topic: TOPICS.deliveries,
      partitions: [{ partition: p, offset: String(high) }],
    });
    await admin.disconnect();
    const c = await connect();
    const frames = await c.subscribe(thread, `${p}-${high - 3}`);
    expect(frames.map((f) => f.op)).toEqual(['reset', 'subscribed']);
    expect(frames[1]!.cursor).toBe(`${p}-${high}`);
    await produce(thread, [3]);
    await c.until(() => c.events().length === 1, 'a live event after the reset');
    expect(c.events()).toEqual([3]);
  });
});
