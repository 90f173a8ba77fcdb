import { createClient, type Client, type WebSocketConstructor } from '@threadcast/client';
import WebSocket from 'ws';
import { waitUntil } from './recording-client';
import { provisionTopics, startService, type RunningService } from './services';

const INTERVAL_MS = 500;

/**
 * A libs/client reader of one channel that keeps every presence count it was sent. Presence
 * counts client addresses, so each reader connects from an address of its own: Linux routes all
 * of 127.0.0.0/8 to loopback.
 */
function reader(
  pod: RunningService,
  channel: string,
  from: string,
): { client: Client; counts: number[]; last(): number } {
  const counts: number[] = [];
  class FromAddress extends WebSocket {
    constructor(url: string, protocols?: string | string[]) {
      super(url, protocols, { localAddress: from });
    }
  }
  const client = createClient({
    url: `ws://127.0.0.1:${pod.port}/ws`,
    WebSocketImpl: FromAddress as unknown as WebSocketConstructor,
    backoff: { initialMs: 50, maxMs: 500 },
  });
  client.subscribe(channel, { onEvent: () => {}, onPresence: (n) => counts.push(n) });
  return { client, counts, last: () => counts.at(-1) ?? -1 };
}

// Presence across two gateway processes on one broker: each pod's readers are summed, and a
// pod killed without a goodbye stops counting once its reports expire (3 refreshes).
describe('presence across gateway pods', () => {
  let a: RunningService;
  let b: RunningService;
  const clients: Client[] = [];

  beforeAll(async () => {
    await provisionTopics();
    const env = {
      GATEWAY_PRESENCE_INTERVAL_MS: String(INTERVAL_MS),
      GATEWAY_PRESENCE_REFRESH_MS: String(4 * INTERVAL_MS),
    };
    [a, b] = await Promise.all([startService('gateway', env), startService('gateway', env)]);
  });
  afterAll(async () => {
    for (const c of clients) c.close();
    await Promise.all([a?.stop(), b?.stop()]);
  });

  it('sums the readers of every pod, and drops a killed pod after the expiry', async () => {
    const channel = `thread:presence-${Math.random().toString(36).slice(2, 8)}`;
    const onA = [reader(a, channel, '127.0.0.2'), reader(a, channel, '127.0.0.3')];
    const onB = reader(b, channel, '127.0.0.4');
    // A second socket from an address already reading: not another reader.
    const again = reader(a, channel, '127.0.0.2');
    clients.push(...onA.map((r) => r.client), onB.client, again.client);

    await waitUntil('3 readers seen on pod A', () => onA.every((r) => r.last() === 3), 30_000);
    await waitUntil('3 readers seen by the repeat socket', () => again.last() === 3, 30_000);
    await waitUntil('3 readers seen on pod B', () => onB.last() === 3, 30_000);
    // Pod B counted its own reader at once, then learned of pod A's two from Kafka.
    expect(onB.counts[0]).toBe(1);

    // SIGKILL: pod B publishes no zero; pod A must expire it.
    await b.stop('SIGKILL');
    await waitUntil('pod B expired on pod A', () => onA.every((r) => r.last() === 2), 30_000);
    expect(onA[0]!.counts.slice(-2)).toEqual([3, 2]);
    expect(onA[0]!.counts.every((n) => n <= 3)).toBe(true);

    // A reader that leaves pod A is subtracted at once.
    onA[1]!.client.close();
    await waitUntil('one reader left', () => onA[0]!.last() === 1, 30_000);
  });
});
