import { channelKey, HEADERS } from '@threadcast/contracts';
import { partitionForKey } from '@threadcast/kafka';
import { Registry } from 'prom-client';
import { createFanOut, type DeliveryRecord, type FanOutSocket } from './fan-out';
import { gatewayMetrics } from './gateway-metrics';
import { createPartitionPositions } from './partition-positions';
import { createSubscriptions } from './subscriptions';

class FakeSocket implements FanOutSocket {
  readyState = 1;
  bufferedAmount = 0;
  sent: Buffer[] = [];
  terminated = false;
  send(data: Buffer, options: { binary: boolean; compress: boolean }) {
    expect(options).toEqual({ binary: false, compress: false });
    this.sent.push(data);
  }
  terminate() {
    this.terminated = true;
  }
}

function setup() {
  const registry = new Registry();
  const metrics = gatewayMetrics(registry);
  const subscriptions = createSubscriptions<{ ws: FakeSocket }>();
  const positions = createPartitionPositions(12);
  const deliver = createFanOut({
    subscriptions,
    positions,
    metrics,
    maxBufferedBytes: 1000,
    now: () => 10_050,
  });
  const client = () => ({ ws: new FakeSocket() });
  const value = async (name: string) =>
    (await registry.getSingleMetric(name)!.get()).values as {
      value: number;
      labels: object;
      metricName?: string;
    }[];
  return { deliver, subscriptions, positions, client, value };
}

const channel = 'thread:t-fan';
const partition = partitionForKey(channelKey(channel), 12);
const record = (overrides: Partial<DeliveryRecord> = {}): DeliveryRecord => ({
  partition,
  offset: '41',
  value: Buffer.from(`{"op":"event","channel":"${channel}","event":{"type":"comment.deleted","id":"c1"}}`),
  headers: { [HEADERS.channel]: channel, [HEADERS.acceptedAt]: '10000' },
  ...overrides,
});

describe('fan-out', () => {
  it('writes one shared frame, with its cursor, to every open subscribed socket', async () => {
    const { deliver, subscriptions, client, value } = setup();
    const [a, b, closing, other] = [client(), client(), client(), client()];
    for (const c of [a, b, closing]) subscriptions.subscribe(c, channel, 10);
    subscriptions.subscribe(other, 'thread:elsewhere', 10);
    closing.ws.readyState = 2;

    deliver(record());

    expect(a.ws.sent).toHaveLength(1);
    expect(b.ws.sent[0]).toBe(a.ws.sent[0]);
    expect(closing.ws.sent).toHaveLength(0);
    expect(other.ws.sent).toHaveLength(0);
    const frame = JSON.parse(a.ws.sent[0]!.toString());
    expect(frame).toMatchObject({ op: 'event', channel, cursor: `${partition}-41`, event: { id: 'c1' } });
    const size = a.ws.sent[0]!.length;
    expect(await value('threadcast_gateway_events_delivered_total')).toMatchObject([{ value: 2 }]);
    expect(await value('threadcast_gateway_bytes_written_total')).toMatchObject([{ value: 2 * size }]);
    const latency = await value('threadcast_e2e_latency_seconds');
    expect(latency.find((v) => v.metricName === 'threadcast_e2e_latency_seconds_count')?.value).toBe(1);
    expect(latency.find((v) => v.metricName === 'threadcast_e2e_latency_seconds_sum')?.value).toBeCloseTo(
      0.05,
    );
  });

  it('skips records nobody here listens to without reading their value, but keeps the position', async () => {
    const { deliver, positions, value } = setup();
    deliver(record({ value: Buffer.from('not a frame'), offset: '77' }));
    deliver(record({ headers: {}, offset: '78' }));
    expect(await value('threadcast_gateway_records_unusable_total')).toEqual([]);
    expect(await value('threadcast_gateway_events_delivered_total')).toMatchObject([{ value: 0 }]);
    expect(positions.cursorForChannel(channel)).toBe(`${partition}-78`);
  });

  it('counts a record it cannot frame and sends nothing', async () => {
    const { deliver, subscriptions, client, value } = setup();
    const a = client();
    subscriptions.subscribe(a, channel, 10);
    deliver(record({ value: null }));
    expect(a.ws.sent).toHaveLength(0);
    expect(await value('threadcast_gateway_records_unusable_total')).toMatchObject([
      { value: 1, labels: { reason: 'not_a_frame' } },
    ]);
  });

  it('cuts a socket whose backlog is too large instead of queueing more', async () => {
    const { deliver, subscriptions, client, value } = setup();
    const [fast, slow] = [client(), client()];
    subscriptions.subscribe(fast, channel, 10);
    subscriptions.subscribe(slow, channel, 10);
    slow.ws.bufferedAmount = 1001;
    deliver(record());
    expect(fast.ws.sent).toHaveLength(1);
    expect(slow.ws.sent).toHaveLength(0);
    expect(slow.ws.terminated).toBe(true);
    expect(await value('threadcast_gateway_slow_sockets_cut_total')).toMatchObject([{ value: 1 }]);
  });

  it('observes no latency without an accept time or without a socket written', async () => {
    const { deliver, subscriptions, client, value } = setup();
    deliver(record());
    const a = client();
    subscriptions.subscribe(a, channel, 10);
    deliver(record({ headers: { [HEADERS.channel]: channel } }));
    deliver(record({ headers: { [HEADERS.channel]: channel, [HEADERS.acceptedAt]: 'soon' } }));
    expect(a.ws.sent).toHaveLength(2);
    const latency = await value('threadcast_e2e_latency_seconds');
    expect(latency.find((v) => v.metricName === 'threadcast_e2e_latency_seconds_count')?.value).toBe(0);
  });
});
