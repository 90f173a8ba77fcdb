import { channelKey, HEADERS } from '@threadcast/contracts';
import { partitionForKey } from '@threadcast/kafka';
import { Registry } from 'prom-client';
import { createFanOut, type DeliveryRecord, type FanOutSocket, type FrameStream } from './fan-out';
import { payloadLength } from './frame-delivery';
import { gatewayMetrics } from './gateway-metrics';
import { createPartitionPositions } from './partition-positions';
import { createSubscriptions } from './subscriptions';

class FakeStream implements FrameStream {
  corks = 0;
  uncorks = 0;
  sent: Buffer[] = [];
  write(frame: Buffer) {
    this.sent.push(frame);
    return true;
  }
  cork() {
    this.corks++;
  }
  uncork() {
    this.uncorks++;
  }
}

class FakeSocket implements FanOutSocket {
  readyState = 1;
  bufferedAmount = 0;
}

/** The JSON text of a WebSocket frame as written. */
const text = (frame: Buffer) => frame.subarray(frame.length - payloadLength(frame)).toString();

function setup(writeDelayMs = 0) {
  const registry = new Registry();
  const metrics = gatewayMetrics(registry);
  const subscriptions = createSubscriptions<Client>();
  const positions = createPartitionPositions(12);
  const slow: Client[] = [];
  const fanOut = createFanOut({
    subscriptions,
    positions,
    metrics,
    maxBufferedBytes: 1000,
    onSlowClient: (c) => slow.push(c),
    writeDelayMs,
    now: () => 10_050,
  });
  const deliver = fanOut.deliver;
  const client = (): Client => ({ ws: new FakeSocket(), stream: new FakeStream() });
  /** Subscribed from the start of the partition unless told otherwise. */
  const subscribe = (c: Client, name = channel, after = -1) =>
    subscriptions.put(c, name, partitionForKey(channelKey(name), 12), after);
  const value = async (name: string) =>
    (await registry.getSingleMetric(name)!.get()).values as {
      value: number;
      labels: object;
      metricName?: string;
    }[];
  return { deliver, flush: fanOut.flush, subscribe, positions, client, value, slow };
}

interface Client {
  ws: FakeSocket;
  stream: FakeStream;
}

const channel = 'thread:t-fan';
const partition = partitionForKey(channelKey(channel), 12);
const record = (overrides: Partial<DeliveryRecord> = {}): DeliveryRecord => ({
  partition,
  offset: '41',
  value: Buffer.from(`{"op":"event","channel":"${channel}","event":{"type":"comment.deleted","id":"c1"}}`),
  headers: { [HEADERS.channel]: channel, [HEADERS.acceptedAt]: '10000' },
  timestamp: '10020',
  ...overrides,
});

describe('fan-out', () => {
  it('writes the same frame bytes, with the cursor, to the stream of every open subscribed socket', async () => {
    const { deliver, subscribe, client, value } = setup();
    const [a, b, closing, other] = [client(), client(), client(), client()];
    for (const c of [a, b, closing]) subscribe(c);
    subscribe(other, 'thread:elsewhere');
    closing.ws.readyState = 2;

    deliver(record());

    expect(a.stream.sent).toHaveLength(1);
    expect(b.stream.sent[0]).toBe(a.stream.sent[0]);
    expect(closing.stream.sent).toHaveLength(0);
    expect(other.stream.sent).toHaveLength(0);
    const frame = JSON.parse(text(a.stream.sent[0]!));
    expect(frame).toMatchObject({ op: 'event', channel, cursor: `${partition}-42`, event: { id: 'c1' } });
    // Bytes of the JSON frames, without the WebSocket header.
    const size = payloadLength(a.stream.sent[0]!);
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
    expect(positions.live(partition)).toBe(79);
  });

  it('counts a record it cannot frame and sends nothing', async () => {
    const { deliver, subscribe, client, value } = setup();
    const a = client();
    subscribe(a);
    deliver(record({ value: null }));
    expect(a.stream.sent).toHaveLength(0);
    expect(await value('threadcast_gateway_records_unusable_total')).toMatchObject([
      { value: 1, labels: { reason: 'not_a_frame' } },
    ]);
  });

  it('hands a socket whose backlog is too large to onSlowClient instead of queueing more', () => {
    const { deliver, subscribe, client, slow } = setup();
    const [fast, lagging] = [client(), client()];
    subscribe(fast);
    subscribe(lagging);
    lagging.ws.bufferedAmount = 1001;
    deliver(record());
    expect(fast.stream.sent).toHaveLength(1);
    expect(lagging.stream.sent).toHaveLength(0);
    expect(slow).toEqual([lagging]);
  });

  it('observes no latency without an accept time or without a socket written', async () => {
    const { deliver, subscribe, client, value } = setup();
    deliver(record());
    const a = client();
    subscribe(a);
    deliver(record({ headers: { [HEADERS.channel]: channel }, offset: '42' }));
    deliver(record({ headers: { [HEADERS.channel]: channel, [HEADERS.acceptedAt]: 'soon' }, offset: '43' }));
    expect(a.stream.sent).toHaveLength(2);
    const latency = await value('threadcast_e2e_latency_seconds');
    expect(latency.find((v) => v.metricName === 'threadcast_e2e_latency_seconds_count')?.value).toBe(0);
  });

  it('splits the latency by hop, once per event however many sockets got it', async () => {
    const { deliver, subscribe, client, value } = setup();
    for (const c of [client(), client(), client()]) subscribe(c);
    // accepted 10000, comments record 10004, comments.enriched 10010, deliveries 10020, written 10050
    deliver(record({ headers: { ...record().headers, [HEADERS.hops]: '10004,10010' } }));
    expect(await hopSums(value)).toEqual({
      ingest: { count: 1, ms: 4 },
      enrich: { count: 1, ms: 6 },
      route: { count: 1, ms: 10 },
      gateway: { count: 1, ms: 30 },
    });
  });

  it('leaves out the hops a record has no timestamps for, and observes none for a record nobody got', async () => {
    const { deliver, subscribe, client, value } = setup();
    deliver(record({ headers: { ...record().headers, [HEADERS.hops]: '10004,10010' }, offset: '40' }));
    subscribe(client());
    // Before the stage runner stamps tc-hops: only deliveries -> sockets is known.
    deliver(record({ offset: '41' }));
    deliver(record({ offset: '42', headers: { ...record().headers, [HEADERS.hops]: 'x,10010' } }));
    expect(await hopSums(value)).toEqual({
      ingest: { count: 0, ms: 0 },
      enrich: { count: 0, ms: 0 },
      route: { count: 1, ms: 10 },
      gateway: { count: 2, ms: 60 },
    });
  });

  it('corks each socket once per batch and uncorks them all when the batch has been handed over', async () => {
    const { deliver, subscribe, client } = setup();
    const [a, b, idle] = [client(), client(), client()];
    subscribe(a);
    subscribe(b);
    subscribe(idle, 'thread:elsewhere');
    for (const offset of ['41', '42', '43']) deliver(record({ offset }));
    expect(a.stream.sent).toHaveLength(3);
    expect([a.stream.corks, a.stream.uncorks, b.stream.corks, b.stream.uncorks]).toEqual([1, 0, 1, 0]);
    await Promise.resolve();
    expect([a.stream.uncorks, b.stream.uncorks, idle.stream.corks]).toEqual([1, 1, 0]);
    // The next batch corks again.
    deliver(record({ offset: '44' }));
    await Promise.resolve();
    expect([a.stream.corks, a.stream.uncorks]).toEqual([2, 2]);
  });

  describe('with a write window (GATEWAY_WRITE_DELAY_MS)', () => {
    beforeEach(() => jest.useFakeTimers());
    afterEach(() => jest.useRealTimers());

    it('gathers the frames of several batches into one write per socket, sent when the window ends', async () => {
      const { deliver, subscribe, client, value } = setup(5);
      const [a, b] = [client(), client()];
      subscribe(a);
      subscribe(b);
      // Three fetches' worth, each handed over on its own turn, within the window.
      for (const offset of ['41', '42', '43']) {
        deliver(record({ offset }));
        await Promise.resolve();
        jest.advanceTimersByTime(1);
      }
      expect(a.stream.sent).toHaveLength(3);
      expect([a.stream.corks, a.stream.uncorks, b.stream.corks, b.stream.uncorks]).toEqual([1, 0, 1, 0]);
      jest.advanceTimersByTime(2); // 5 ms after the first frame
      expect([a.stream.uncorks, b.stream.uncorks]).toEqual([1, 1]);
      expect(await value('threadcast_gateway_socket_writes_total')).toMatchObject([{ value: 2 }]);
      expect(await value('threadcast_gateway_write_flushes_total')).toMatchObject([{ value: 1 }]);
      expect(await value('threadcast_gateway_events_delivered_total')).toMatchObject([{ value: 6 }]);
      // The next frame opens a new window.
      deliver(record({ offset: '44' }));
      expect(a.stream.corks).toBe(2);
      jest.advanceTimersByTime(5);
      expect(a.stream.uncorks).toBe(2);
    });

    it('writes at once what waits when flushed (shutdown), and the window timer then has nothing left', () => {
      const { deliver, flush, subscribe, client } = setup(50);
      const a = client();
      subscribe(a);
      deliver(record({ offset: '41' }));
      expect(a.stream.uncorks).toBe(0);
      flush();
      expect(a.stream.uncorks).toBe(1);
      jest.advanceTimersByTime(50);
      expect(a.stream.uncorks).toBe(1);
    });
  });

  it('judges a backlog at the first frame of a batch, not by what the batch itself queued', async () => {
    const { deliver, subscribe, client, slow } = setup();
    const a = client();
    subscribe(a);
    deliver(record({ offset: '41' }));
    a.ws.bufferedAmount = 5000; // queued behind the cork by this batch
    deliver(record({ offset: '42' }));
    expect(a.stream.sent).toHaveLength(2);
    expect(slow).toEqual([]);
    await Promise.resolve();
    // Still that far behind once the batch has left: a slow reader.
    deliver(record({ offset: '43' }));
    expect(a.stream.sent).toHaveLength(2);
    expect(slow).toEqual([a]);
  });

  it('gives each subscription only offsets after its own position, so a replay duplicates nothing', () => {
    const { deliver, subscribe, client } = setup();
    const [live, newcomer] = [client(), client()];
    subscribe(live, channel, 41);
    const offsets = (c: Client) => c.stream.sent.map((f) => JSON.parse(text(f)).cursor);
    deliver(record({ offset: '42' }));
    // A newcomer resumes from 39; the reader moves back (nothing newer is handed over before
    // the replay: the seek makes in-flight batches stale), so 39..42 come again, then 43.
    subscribe(newcomer, channel, 38);
    for (const offset of ['39', '40', '41', '42', '43']) deliver(record({ offset }));
    expect(offsets(live)).toEqual([`${partition}-43`, `${partition}-44`]);
    expect(offsets(newcomer)).toEqual([39, 40, 41, 42, 43].map((o) => `${partition}-${o + 1}`));
  });
});

/** threadcast_hop_latency_seconds' count and sum (in ms) per hop. */
async function hopSums(
  value: (name: string) => Promise<{ value: number; labels: object; metricName?: string }[]>,
) {
  const out: Record<string, { count: number; ms: number }> = {};
  for (const v of await value('threadcast_hop_latency_seconds')) {
    const hop = (v.labels as { hop: string }).hop;
    out[hop] ??= { count: 0, ms: 0 };
    if (v.metricName === 'threadcast_hop_latency_seconds_count') out[hop].count = v.value;
    if (v.metricName === 'threadcast_hop_latency_seconds_sum') out[hop].ms = Math.round(v.value * 1e6) / 1e3;
  }
  return out;
}
