import { connect } from 'node:net';
import { channelKey, HEADERS } from '@threadcast/contracts';
import { partitionForKey } from '@threadcast/kafka';
import { createLogger } from '@threadcast/runtime';
import { Registry } from 'prom-client';
import WebSocket from 'ws';
import type { Authorize } from './authorize';
import { gatewayMetrics } from './gateway-metrics';
import { createGatewayServer, type GatewayServer, type GatewayServerOptions } from './gateway-server';

const logger = createLogger({ service: 'test', level: 'silent' });
const PARTITIONS = 12;

interface TestClient {
  ws: WebSocket;
  /** The next frame, parsed. */
  next(): Promise<Record<string, unknown>>;
  closed: Promise<number>;
  received: Record<string, unknown>[];
}

describe('gateway server', () => {
  let server: GatewayServer;
  let registry: Registry;
  let url: string;
  const clients: WebSocket[] = [];

  async function start(opts: Partial<GatewayServerOptions> = {}) {
    registry = new Registry();
    server = createGatewayServer({
      maxFrameBytes: 4096,
      maxSubscriptions: 3,
      pingIntervalMs: 60_000,
      maxBufferedBytes: 1024 * 1024,
      partitionCount: PARTITIONS,
      metrics: gatewayMetrics(registry),
      logger,
      ...opts,
    });
    const port = await server.listen(0, '127.0.0.1');
    url = `ws://127.0.0.1:${port}/ws`;
    return port;
  }

  async function client(options?: WebSocket.ClientOptions): Promise<TestClient> {
    const ws = new WebSocket(url, options);
    clients.push(ws);
    const received: Record<string, unknown>[] = [];
    const waiting: ((f: Record<string, unknown>) => void)[] = [];
    ws.on('message', (data) => {
      const frame = JSON.parse(data.toString()) as Record<string, unknown>;
      const w = waiting.shift();
      if (w) w(frame);
      else received.push(frame);
    });
    const closed = new Promise<number>((resolve) => ws.on('close', (code) => resolve(code)));
    ws.on('error', () => undefined);
    await new Promise((resolve, reject) => {
      ws.once('open', resolve);
      ws.once('error', reject);
    });
    const next = () => {
      const f = received.shift();
      return f
        ? Promise.resolve(f)
        : new Promise<Record<string, unknown>>((resolve) => waiting.push(resolve));
    };
    return { ws, next, closed, received };
  }

  const send = (c: TestClient, frame: unknown) =>
    c.ws.send(typeof frame === 'string' ? frame : JSON.stringify(frame));
  const metric = async (name: string) => (await registry.getSingleMetric(name)!.get()).values;
  const until = async (what: () => boolean) => {
    for (let i = 0; i < 200 && !what(); i++) await new Promise((r) => setTimeout(r, 10));
    expect(what()).toBe(true);
  };

  function record(channel: string, offset: string, eventId = `e-${offset}`) {
    return {
      partition: partitionForKey(channelKey(channel), PARTITIONS),
      offset,
      value: Buffer.from(
        JSON.stringify({ op: 'event', channel, event: { type: 'comment.deleted', eventId } }),
      ),
      headers: { [HEADERS.channel]: channel, [HEADERS.acceptedAt]: String(Date.now()) },
    };
  }

  afterEach(async () => {
    for (const ws of clients.splice(0)) ws.terminate();
    await server.close(100);
  });

  it('answers ping, subscribes, delivers events with cursors and unsubscribes', async () => {
    await start();
    const c = await client();
    send(c, { op: 'ping', id: 1 });
    expect(await c.next()).toEqual({ op: 'pong', id: 1 });

    send(c, { op: 'subscribe', channel: 'thread:t1', id: 'a' });
    expect(await c.next()).toEqual({ op: 'subscribed', channel: 'thread:t1', cursor: null, id: 'a' });

    server.deliver(record('thread:t1', '7'));
    server.deliver(record('thread:other', '8'));
    const p = partitionForKey('t1', PARTITIONS);
    expect(await c.next()).toEqual({
      op: 'event',
      channel: 'thread:t1',
      cursor: `${p}-7`,
      event: { type: 'comment.deleted', eventId: 'e-7' },
    });

    // Subscribing again is idempotent and reports where the partition stands now.
    send(c, { op: 'subscribe', channel: 'thread:t1' });
    expect(await c.next()).toEqual({ op: 'subscribed', channel: 'thread:t1', cursor: `${p}-7` });
    expect(await metric('threadcast_gateway_subscriptions')).toMatchObject([{ value: 1 }]);

    send(c, { op: 'unsubscribe', channel: 'thread:t1', id: 'u' });
    expect(await c.next()).toEqual({ op: 'unsubscribed', channel: 'thread:t1', id: 'u' });
    server.deliver(record('thread:t1', '9'));
    send(c, { op: 'ping' });
    expect(await c.next()).toEqual({ op: 'pong' });
    expect(await metric('threadcast_gateway_events_delivered_total')).toMatchObject([{ value: 1 }]);
  });

  it('writes each event to every socket of the channel', async () => {
    await start();
    const [a, b] = [await client(), await client()];
    for (const c of [a, b]) {
      send(c, { op: 'subscribe', channel: 'user:u1' });
      await c.next();
    }
    server.deliver(record('user:u1', '3'));
    const [fa, fb] = [await a.next(), await b.next()];
    expect(fa).toEqual(fb);
    expect(fa).toMatchObject({
      op: 'event',
      channel: 'user:u1',
      cursor: `${partitionForKey('user:u1', PARTITIONS)}-3`,
    });
    expect(await metric('threadcast_gateway_events_delivered_total')).toMatchObject([{ value: 2 }]);
  });

  it('answers bad frames with bad_request and keeps the socket', async () => {
    await start();
    const c = await client();
    send(c, 'hello');
    expect(await c.next()).toMatchObject({ op: 'error', code: 'bad_request' });
    c.ws.send(Buffer.from('{"op":"ping"}'), { binary: true });
    expect(await c.next()).toMatchObject({
      op: 'error',
      code: 'bad_request',
      message: expect.stringContaining('binary'),
    });
    send(c, { op: 'subscribe', channel: 'room:1', id: 9 });
    expect(await c.next()).toMatchObject({ op: 'error', code: 'bad_request', id: 9 });
    send(c, { op: 'ping' });
    expect(await c.next()).toEqual({ op: 'pong' });
    expect(await metric('threadcast_gateway_frames_rejected_total')).toMatchObject([
      { value: 3, labels: { code: 'bad_request' } },
    ]);
  });

  it('limits subscriptions per socket', async () => {
    await start({ maxSubscriptions: 2 });
    const c = await client();
    for (const ch of ['thread:1', 'thread:2', 'thread:1']) {
      send(c, { op: 'subscribe', channel: ch });
      expect(await c.next()).toMatchObject({ op: 'subscribed', channel: ch });
    }
    send(c, { op: 'subscribe', channel: 'thread:3', id: 'x' });
    expect(await c.next()).toMatchObject({
      op: 'error',
      code: 'too_many_subscriptions',
      id: 'x',
      channel: 'thread:3',
    });
  });

  it('asks the authorize hook for each subscription', async () => {
    const onlyThreads: Authorize = (channel) => channel.kind === 'thread';
    await start({ authorize: onlyThreads });
    const c = await client();
    send(c, { op: 'subscribe', channel: 'mod:f1', id: 1 });
    expect(await c.next()).toMatchObject({ op: 'error', code: 'forbidden', id: 1, channel: 'mod:f1' });
    send(c, { op: 'subscribe', channel: 'thread:t1', id: 2 });
    expect(await c.next()).toMatchObject({ op: 'subscribed', id: 2 });
  });

  it('closes a socket that sends an oversize frame with 1009', async () => {
    await start({ maxFrameBytes: 256 });
    const c = await client();
    send(c, { op: 'ping', id: 'x'.repeat(300) });
    expect(await c.closed).toBe(1009);
    expect(await metric('threadcast_gateway_frames_rejected_total')).toMatchObject([
      { value: 1, labels: { code: 'frame_too_large' } },
    ]);
  });

  it('forgets a closed socket and its subscriptions', async () => {
    await start();
    const c = await client();
    send(c, { op: 'subscribe', channel: 'thread:t1' });
    send(c, { op: 'subscribe', channel: 'thread:t2' });
    await c.next();
    await c.next();
    expect(await metric('threadcast_gateway_sockets')).toMatchObject([{ value: 1 }]);
    expect(await metric('threadcast_gateway_subscriptions')).toMatchObject([{ value: 2 }]);
    c.ws.close();
    await until(() => server.socketCount === 0);
    expect(await metric('threadcast_gateway_sockets')).toMatchObject([{ value: 0 }]);
    expect(await metric('threadcast_gateway_subscriptions')).toMatchObject([{ value: 0 }]);
    server.deliver(record('thread:t1', '1'));
  });

  it('only serves WebSockets on /ws', async () => {
    const port = await start();
    expect((await fetch(`http://127.0.0.1:${port}/ws`)).status).toBe(426);
    const other = await fetch(`http://127.0.0.1:${port}/nope`);
    expect(other.status).toBe(404);
    expect(((await other.json()) as { error: { code: string } }).error.code).toBe('not_found');
    url = `ws://127.0.0.1:${port}/other`;
    await expect(client()).rejects.toThrow('400');
  });

  it('drops a socket that stops answering pings', async () => {
    await start({ pingIntervalMs: 50 });
    const healthy = await client();
    const silent = await client({ autoPong: false });
    expect(await silent.closed).toBe(1006);
    expect(healthy.ws.readyState).toBe(WebSocket.OPEN);
  });

  it('on close, says 1012 to every socket, refuses new ones and cuts the ones that do not answer', async () => {
    const port = await start();
    const polite = await client();
    // A peer that completes the handshake, then discards whatever comes: it never answers the close.
    const mute = connect(port, '127.0.0.1');
    mute.on('error', () => undefined);
    mute.resume();
    mute.write(
      'GET /ws HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
        'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n',
    );
    const muteClosed = new Promise((resolve) => mute.on('close', resolve));
    await until(() => server.socketCount === 2);

    const started = Date.now();
    await server.close(300);
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);
    expect(await polite.closed).toBe(1012);
    await muteClosed;
    expect(server.socketCount).toBe(0);
    await expect(client()).rejects.toThrow();
  });
});
