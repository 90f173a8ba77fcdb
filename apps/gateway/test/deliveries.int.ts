import { randomUUID } from 'node:crypto';
import { HEADERS, TOPICS, topicSpecs } from '@threadcast/contracts';
import { createKafka, createKeyedProducer, partitionForKey, provisionTopics } from '@threadcast/kafka';
import { createLogger } from '@threadcast/runtime';
import { Registry } from 'prom-client';
import WebSocket from 'ws';
import { deliveriesPartitionCount, readAllDeliveries, type DeliverySource } from '../src/delivery-source';
import { gatewayMetrics } from '../src/gateway-metrics';
import { createGatewayServer, type GatewayServer } from '../src/gateway-server';

// The Kafka half of the gateway on a real broker: records produced to `deliveries` reach the
// sockets of their channel, with the partition and offset the broker gave them as cursor.
describe('gateway reading deliveries', () => {
  const brokers = process.env.KAFKA_BROKERS;
  if (!brokers) throw new Error('KAFKA_BROKERS is not set: run through the integration jest config');
  const logger = createLogger({ service: 'test', level: process.env.TEST_LOG_LEVEL ?? 'silent' });
  const kafka = createKafka(
    { KAFKA_BROKERS: brokers.split(','), KAFKA_SSL: false, KAFKA_SASL_MECHANISM: 'none' },
    logger,
    'it-gateway',
  );
  const producer = createKeyedProducer(kafka);
  let server: GatewayServer;
  let source: DeliverySource;
  let url: string;
  let partitions: number;

  beforeAll(async () => {
    const admin = kafka.admin();
    await admin.connect();
    await provisionTopics(admin, topicSpecs({ partitions: 12, replicationFactor: 1 }));
    await admin.disconnect();
    await producer.connect();
    partitions = await deliveriesPartitionCount(kafka);
    server = createGatewayServer({
      maxFrameBytes: 4096,
      maxSubscriptions: 10,
      pingIntervalMs: 30_000,
      maxBufferedBytes: 1024 * 1024,
      partitionCount: partitions,
      metrics: gatewayMetrics(new Registry()),
      logger,
    });
    source = await readAllDeliveries({ kafka, instanceId: 'it', logger, onRecord: server.deliver });
    url = `ws://127.0.0.1:${await server.listen(0, '127.0.0.1')}/ws`;
  });
  afterAll(async () => {
    await server?.close(100);
    await source?.stop();
    await producer.disconnect();
  });

  it('delivers produced records to the subscribed socket, in order, with broker cursors', async () => {
    const thread = `it-gw-${randomUUID().slice(0, 8)}`;
    const channel = `thread:${thread}`;
    const frames: Record<string, unknown>[] = [];
    const ws = new WebSocket(url);
    ws.on('message', (d) => frames.push(JSON.parse(d.toString()) as Record<string, unknown>));
    await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
    ws.send(JSON.stringify({ op: 'subscribe', channel }));

    // The reader joins its group from the end: keep producing until the first record arrives.
    const event = (n: number) => ({
      topic: TOPICS.deliveries,
      key: thread,
      value: JSON.stringify({
        op: 'event',
        channel,
        event: { type: 'comment.deleted', eventId: `e${n}`, n },
      }),
      headers: { [HEADERS.channel]: channel, [HEADERS.acceptedAt]: String(Date.now()) },
    });
    const events = () => frames.filter((f) => f.op === 'event');
    let n = 0;
    for (let i = 0; i < 100 && events().length === 0; i++) {
      await producer.send([event(n++)]);
      await new Promise((r) => setTimeout(r, 100));
    }
    const first = n;
    await producer.send([event(n++), event(n++), event(n++)]);
    const deadline = Date.now() + 20_000;
    while (
      events().filter((f) => (f.event as { n: number }).n >= first).length < 3 &&
      Date.now() < deadline
    ) {
      await new Promise((r) => setTimeout(r, 50));
    }
    ws.close();

    const partition = partitionForKey(thread, partitions);
    const last = events().slice(-3);
    expect(last.map((f) => (f.event as { n: number }).n)).toEqual([first, first + 1, first + 2]);
    const offsets = last.map((f) => {
      const [p, offset] = String(f.cursor).split('-');
      expect(Number(p)).toBe(partition);
      return Number(offset);
    });
    expect(offsets[1]).toBe(offsets[0]! + 1);
    expect(offsets[2]).toBe(offsets[1]! + 1);
    expect(frames[0]).toMatchObject({ op: 'subscribed', channel });
  });
});
