import { connect } from 'node:net';
import { channelKey, HEADERS } from '@threadcast/contracts';
import { partitionForKey } from '@threadcast/kafka';
import { createLogger } from '@threadcast/runtime';
import { Registry } from 'prom-client';
import WebSocket from 'ws';
import type { Claims } from './authorize';
import type { DeliveryFeed } from './delivery-feed';
import { gatewayMetrics } from './gateway-metrics';
import { createGatewayServer, type GatewayServer, type GatewayServerOptions } from './gateway-server';
import { TokenError } from './token-verifier';

const logger = createLogger({ service: 'test', level: 'silent' });
const PARTITIONS = 12;
const partitionOf = (channel: string) => partitionForKey(channelKey(channel), PARTITIONS);

/** The reader, minus Kafka: records what it was asked to read; every log spans [low, high). */
class FakeFeed implements DeliveryFeed {
  readonly partitionCount = PARTITIONS;
  readonly reads: [number, number][] = [];
  readonly stops: number[] = [];
  readonly reading = new Set<number>();
  low = 0;
  high = 100;
  failing = false;
  readFrom(partition: number, offset: number) {
    this.reads.push([partition, offset]);
    this.reading.add(partition);
  }
  stop(partition: number) {
    this.stops.push(partition);
    this.reading.delete(partition);
  }
  isReading(partition: number) {
    return this.reading.has(partition);
  }
  bounds() {
    if (this.failing) return Promise.reject(new Error('broker down'));
    return Promise.resolve(Array.from({ length: PARTITIONS }, () => ({ low: this.low, high: this.high })));
  }
}

/** The replay reader, minus Kafka: records what it was asked; the test hands records over. */
class FakeReplayReader {
  readonly reads: [number, number][] = [];
  readonly stops: number[] = [];
  readFrom(partition: number, offset: number) {
    this.reads.push([partition, offset]);
  }
  stop(partition: number) {
    this.stops.push(partition);
  }
}

const FAR = Math.floor(Date.now() / 1000) + 3600;
/** Tokens are claims as JSON here; `bad` fails like a bad signature. */
const verifyToken = (token: string): Promise<Claims> =>
  token === 'bad'
    ? Promise.reject(new TokenError('bad token signature'))
    : Promise.resolve(JSON.parse(token) as Claims);
const token = (claims: Partial<Claims>) =>
  encodeURIComponent(JSON.stringify({ sub: 'u', mod: [], exp: FAR, ...claims }));

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
  let feed: FakeFeed;
  let replays: FakeReplayReader;
  let base: string;
  const clients: WebSocket[] = [];

  async function start(opts: Partial<GatewayServerOptions> = {}) {
    registry = new Registry();
    feed = new FakeFeed();
    replays = new FakeReplayReader();
    server = createGatewayServer({
      maxFrameBytes: 4096,
      maxSubscriptions: 3,
      pingIntervalMs: 60_000,
      maxBufferedBytes: 1024 * 1024,
      maxMessagesPerSecond: 1000,
      messageBurst: 1000,
      maxReplayRecords: 1000,
      replayBudgetRecords: 100_000,
      maxReplays: 100,
      maxSockets: 1000,
      maxSocketsPerAddress: 100,
      feed,
      replayReader: replays,
      metrics: gatewayMetrics(registry),
      logger,
      verifyToken,
      ...opts,
    });
    const port = await server.listen(0, '127.0.0.1');
    base = `ws://127.0.0.1:${port}/ws`;
    url = base;
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
      timestamp: String(Date.now()),
    };
  }

  afterEach(async () => {
    for (const ws of clients.splice(0)) ws.terminate();
    await server.close(100);
  });

  it('counts a channel’s readers once per client address, and broadcasts presence frames to its subscribers', async () => {
    const changes: [string, number][] = [];
    await start({
      clientAddressHeader: 'x-forwarded-for',
      onReadersChanged: (channel) => changes.push([channel, server.readerCount(channel)]),
    });
    // The proxy's entry (the last) counts; what the caller put before it does not.
    const from = (address: string) => ({ headers: { 'x-forwarded-for': `6.6.6.6, ${address}` } });
    const a = await client(from('10.0.0.1'));
    const b = await client(from('10.0.0.2'));
    const a2 = await client(from('10.0.0.1'));
    send(a, { op: 'subscribe', channel: 'thread:t1' });
    await a.next();
    send(b, { op: 'subscribe', channel: 'thread:t1' });
    await b.next();
    send(b, { op: 'subscribe', channel: 'thread:t2' });
    await b.next();
    // Another socket of an address already reading changes nobody's count, nor does a repeat.
    send(a2, { op: 'subscribe', channel: 'thread:t1' });
    await a2.next();
    send(a, { op: 'subscribe', channel: 'thread:t1' });
    await a.next();
    expect(changes).toEqual([
      ['thread:t1', 1],
      ['thread:t1', 2],
      ['thread:t2', 1],
    ]);

    server.broadcast('thread:t2', '{"op":"presence","channel":"thread:t2","count":5}');
    expect(await b.next()).toEqual({ op: 'presence', channel: 'thread:t2', count: 5 });
    send(a, { op: 'unsubscribe', channel: 'thread:t1' });
    await a.next();
    // a2 still reads t1 from 10.0.0.1.
    expect(changes).toHaveLength(3);
    send(a2, { op: 'unsubscribe', channel: 'thread:t1' });
    await a2.next();
    expect(changes[3]).toEqual(['thread:t1', 1]);
    // A closing socket leaves each of its channels.
    b.ws.close();
    await until(() => changes.length === 6);
    expect(changes.slice(4)).toEqual(
      expect.arrayContaining([
        ['thread:t1', 0],
        ['thread:t2', 0],
      ]),
    );
    expect(a.received).toEqual([]);
  });

  it('tells a new subscriber the presence count when its address already reads the channel', async () => {
    await start({ clientAddressHeader: 'x-forwarded-for', presenceTotal: () => 7 });
    const from = { headers: { 'x-forwarded-for': '10.0.0.1' } };
    const [a, a2] = [await client(from), await client(from)];
    send(a, { op: 'subscribe', channel: 'thread:t1' });
    expect(await a.next()).toMatchObject({ op: 'subscribed' });
    // a's arrival changed the count: presence tells everyone (not this server's job here).
    send(a2, { op: 'subscribe', channel: 'thread:t1' });
    expect(await a2.next()).toMatchObject({ op: 'subscribed' });
    expect(await a2.next()).toEqual({ op: 'presence', channel: 'thread:t1', count: 7 });
    send(a, { op: 'ping' });
    expect(await a.next()).toEqual({ op: 'pong' });
  });

  it('answers ping, subscribes, delivers events with cursors and unsubscribes', async () => {
    await start();
    const c = await client();
    send(c, { op: 'ping', id: 1 });
    expect(await c.next()).toEqual({ op: 'pong', id: 1 });

    // Nobody here reads t1's partition yet: the subscription starts at the log end, 100.
    const p = partitionOf('thread:t1');
    send(c, { op: 'subscribe', channel: 'thread:t1', id: 'a' });
    expect(await c.next()).toEqual({ op: 'subscribed', channel: 'thread:t1', cursor: `${p}-100`, id: 'a' });
    expect(feed.reads).toEqual([[p, 100]]);

    server.deliver(record('thread:t1', '100'));
    server.deliver(record('thread:other', '101'));
    expect(await c.next()).toEqual({
      op: 'event',
      channel: 'thread:t1',
      cursor: `${p}-101`,
      event: { type: 'comment.deleted', eventId: 'e-100' },
    });

    // Subscribing again without cursor is idempotent: it says where the subscription stands.
    send(c, { op: 'subscribe', channel: 'thread:t1' });
    expect(await c.next()).toEqual({ op: 'subscribed', channel: 'thread:t1', cursor: `${p}-101` });
    expect(await metric('threadcast_gateway_subscriptions')).toMatchObject([{ value: 1 }]);

    send(c, { op: 'unsubscribe', channel: 'thread:t1', id: 'u' });
    expect(await c.next()).toEqual({ op: 'unsubscribed', channel: 'thread:t1', id: 'u' });
    // The last subscription of the partition left: the pod stops reading it.
    expect(feed.stops).toEqual([p]);
    server.deliver(record('thread:t1', '102'));
    send(c, { op: 'ping' });
    expect(await c.next()).toEqual({ op: 'pong' });
    expect(await metric('threadcast_gateway_events_delivered_total')).toMatchObject([{ value: 1 }]);
  });

  it('writes each event to every socket of the channel', async () => {
    await start();
    url = `${base}?token=${token({ sub: 'u1' })}`;
    const [a, b] = [await client(), await client()];
    for (const c of [a, b]) {
      send(c, { op: 'subscribe', channel: 'user:u1' });
      await c.next();
    }
    server.deliver(record('user:u1', '3')); // before the subscriptions' start: not sent
    server.deliver(record('user:u1', '100'));
    const [fa, fb] = [await a.next(), await b.next()];
    expect(fa).toEqual(fb);
    expect(fa).toMatchObject({
      op: 'event',
      channel: 'user:u1',
      cursor: `${partitionOf('user:u1')}-101`,
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

  it('lets anyone read threads, only the owner a user channel and only moderators a mod channel', async () => {
    await start({ maxSubscriptions: 10 });
    const expectAnswers = async (c: TestClient, answers: Record<string, string>) => {
      for (const [channel, op] of Object.entries(answers)) {
        send(c, { op: 'subscribe', channel });
        const frame = await c.next();
        expect([channel, op === 'forbidden' ? frame.code : frame.op]).toEqual([channel, op]);
      }
    };
    await expectAnswers(await client(), {
      'thread:t1': 'subscribed',
      'user:alice': 'forbidden',
      'mod:f1': 'forbidden',
    });
    url = `${base}?token=${token({ sub: 'alice', mod: ['f1'] })}`;
    await expectAnswers(await client(), {
      'thread:t1': 'subscribed',
      'user:alice': 'subscribed',
      'user:bob': 'forbidden',
      'mod:f1': 'subscribed',
      'mod:f2': 'forbidden',
    });
  });

  it('refuses a bad token at the handshake with 401 and a JSON body', async () => {
    const port = await start();
    const response = await handshake(port, '/ws?token=bad');
    expect(response).toMatch(/^HTTP\/1.1 401 Unauthorized\r\n/);
    expect(JSON.parse(response.split('\r\n\r\n')[1]!)).toEqual({
      error: { code: 'unauthorized', message: 'bad token signature' },
    });
    expect(await metric('threadcast_gateway_handshakes_refused_total')).toMatchObject([
      { value: 1, labels: { status: 401 } },
    ]);
    expect(server.socketCount).toBe(0);
  });

  it('refuses any token when no verification is configured', async () => {
    const port = await start({ verifyToken: undefined });
    const response = await handshake(port, `/ws?token=${token({})}`);
    expect(response).toMatch(/^HTTP\/1.1 401 /);
    expect(response).toContain('GATEWAY_JWT_SECRET');
  });

  it('serves demo tokens on GET /demo-token only when configured, readable by allowed pages', async () => {
    const asked: string[] = [];
    const port = await start({
      allowedOrigins: ['http://localhost:8000'],
      demoTokens: (query) => {
        asked.push(query.toString());
        return Promise.resolve({ status: 200, body: { token: 't', sub: query.get('sub') } });
      },
    });
    const page = { origin: 'http://localhost:8000' };
    const ok = await fetch(`http://127.0.0.1:${port}/demo-token?sub=u1&forum=f1`, { headers: page });
    expect(ok.status).toBe(200);
    expect(ok.headers.get('access-control-allow-origin')).toBe('http://localhost:8000');
    expect(ok.headers.get('cache-control')).toBe('no-store');
    expect(await ok.json()).toEqual({ token: 't', sub: 'u1' });
    expect(asked).toEqual(['sub=u1&forum=f1']);

    const elsewhere = await fetch(`http://127.0.0.1:${port}/demo-token`, {
      headers: { origin: 'https://evil.example' },
    });
    expect(elsewhere.status).toBe(403);
    expect(((await elsewhere.json()) as { error: { code: string } }).error.code).toBe('forbidden_origin');
    const post = await fetch(`http://127.0.0.1:${port}/demo-token`, { method: 'POST', headers: page });
    expect(post.status).toBe(405);
    expect(asked).toHaveLength(1);

    await server.close(0);
    const off = await start({ allowedOrigins: ['http://localhost:8000'], demoTokens: undefined });
    const refused = await fetch(`http://127.0.0.1:${off}/demo-token`, { headers: page });
    expect(refused.status).toBe(404);
    expect(refused.headers.get('access-control-allow-origin')).toBe('http://localhost:8000');
    expect(await refused.json()).toEqual({
      error: { code: 'demo_tokens_off', message: expect.stringContaining('GATEWAY_DEV_AUTH=true') },
    });
  });

  it('refuses a handshake from a site not on GATEWAY_ALLOWED_ORIGINS with 403 and a JSON body', async () => {
    const port = await start({ allowedOrigins: ['https://www.example.com'] });
    const refused = await handshake(port, '/ws', 'Origin: https://evil.example\r\n');
    expect(refused).toMatch(/^HTTP\/1.1 403 Forbidden\r\n/);
    expect(JSON.parse(refused.split('\r\n\r\n')[1]!)).toEqual({
      error: {
        code: 'forbidden_origin',
        message: 'pages from "https://evil.example" may not connect to this gateway',
      },
    });
    expect(await metric('threadcast_gateway_handshakes_refused_total')).toMatchObject([
      { value: 1, labels: { status: 403 } },
    ]);
    // Listed, same-origin (Host: x) and Origin-less clients get in.
    for (const headers of ['Origin: https://www.example.com\r\n', 'Origin: http://x\r\n', '']) {
      expect(await handshakeStatus(port, headers)).toMatch(/^HTTP\/1.1 101 /);
    }
    const c = await client({ origin: 'https://www.example.com' });
    send(c, { op: 'ping' });
    expect(await c.next()).toEqual({ op: 'pong' });
    await expect(client({ origin: 'https://evil.example' })).rejects.toThrow(/403/);
  });

  it('lets no other origin in when no allow-list is set, and every origin with *', async () => {
    const port = await start();
    expect(await handshakeStatus(port, 'Origin: https://anywhere.example\r\n')).toMatch(/^HTTP\/1.1 403 /);
    await server.close(0);
    const open = await start({ allowedOrigins: ['*'] });
    expect(await handshakeStatus(open, 'Origin: https://anywhere.example\r\n')).toMatch(/^HTTP\/1.1 101 /);
  });

  it('closes the socket with 4401 when its token expires', async () => {
    await start();
    url = `${base}?token=${token({ exp: Math.floor(Date.now() / 1000) })}`;
    const c = await client();
    expect(await c.closed).toBe(4401);
  });

  it('resumes from a cursor on the replay reader, then hands the subscription to live delivery', async () => {
    await start();
    const c = await client();
    const p = partitionOf('thread:t1');
    send(c, { op: 'subscribe', channel: 'thread:t1', cursor: `${p}-40`, id: 1 });
    expect(await c.next()).toEqual({ op: 'subscribed', channel: 'thread:t1', cursor: `${p}-40`, id: 1 });
    // The live reader starts at the log end; the replay has its own reader.
    expect(feed.reads).toEqual([[p, 100]]);
    expect(replays.reads).toEqual([[p, 40]]);
    // Live records reach nobody replaying; the replay takes its channel's records in order.
    server.deliver(record('thread:t1', '100'));
    for (const offset of ['39', '40', '41']) server.replayed(record('thread:t1', offset));
    expect((await c.next()).cursor).toBe(`${p}-41`);
    expect((await c.next()).cursor).toBe(`${p}-42`);
    // A second socket without cursor starts at the log end, not at the replay.
    const d = await client();
    send(d, { op: 'subscribe', channel: 'thread:t1' });
    expect(await d.next()).toMatchObject({ op: 'subscribed', cursor: `${p}-101` });
    // The replay reaches the live mark (101, after record 100): the subscription turns live, and
    // the replay reader lets the partition go.
    for (let o = 42; o <= 100; o++) server.replayed(record(o % 2 ? 'thread:x' : 'thread:t1', String(o)));
    await until(() => replays.stops.length > 0);
    expect(replays.stops).toEqual([p]);
    const replayed: unknown[] = [];
    for (let o = 42; o <= 100; o += 2) replayed.push((await c.next()).cursor);
    expect(replayed).toHaveLength(30);
    expect(replayed.at(-1)).toBe(`${p}-101`);
    server.deliver(record('thread:t1', '101'));
    expect((await c.next()).cursor).toBe(`${p}-102`);
    expect((await d.next()).cursor).toBe(`${p}-102`);
    expect(await metric('threadcast_gateway_replays_total')).toMatchObject([{ value: 1 }]);
  });

  it('never moves the live reader back for a resume, and refuses a cursor on a channel already held', async () => {
    await start();
    const p = partitionOf('thread:t1');
    const live = await client();
    send(live, { op: 'subscribe', channel: 'thread:t1' });
    await live.next();
    const storm = await client();
    send(storm, { op: 'subscribe', channel: 'thread:t1', cursor: `${p}-0`, id: 1 });
    expect(await storm.next()).toMatchObject({ op: 'subscribed', cursor: `${p}-0` });
    // Resubscribing with an old cursor to the channel it holds: refused, nothing re-read.
    for (let i = 0; i < 5; i++)
      send(storm, { op: 'subscribe', channel: 'thread:t1', cursor: `${p}-0`, id: 2 });
    for (let i = 0; i < 5; i++) {
      expect(await storm.next()).toMatchObject({
        op: 'error',
        code: 'bad_request',
        id: 2,
        channel: 'thread:t1',
      });
    }
    expect(feed.reads).toEqual([[p, 100]]);
    expect(replays.reads).toEqual([[p, 0]]);
    // Live delivery goes on at once while the replay is under way.
    server.deliver(record('thread:t1', '100'));
    expect(await live.next()).toMatchObject({ op: 'event', cursor: `${p}-101` });
  });

  it('answers reset when a resume would exceed the socket’s replay budget or the pod’s replays', async () => {
    await start({ replayBudgetRecords: 100, maxReplays: 2 });
    const a = await client();
    // 100 - 40 = 60 records of replay: within the budget of 100.
    send(a, { op: 'subscribe', channel: 'thread:t1', cursor: `${partitionOf('thread:t1')}-40` });
    expect(await a.next()).toMatchObject({ op: 'subscribed' });
    // Another 60: only 40 left (and a minute to refill).
    const t2 = partitionOf('thread:t2');
    send(a, { op: 'subscribe', channel: 'thread:t2', cursor: `${t2}-40` });
    expect(await a.next()).toEqual({ op: 'reset', channel: 'thread:t2' });
    expect(await a.next()).toEqual({ op: 'subscribed', channel: 'thread:t2', cursor: `${t2}-100` });
    // A second socket has its own budget; the third replay on the pod is past its cap of 2.
    const b = await client();
    send(b, { op: 'subscribe', channel: 'thread:t2', cursor: `${t2}-90` });
    expect(await b.next()).toMatchObject({ op: 'subscribed', cursor: `${t2}-90` });
    send(b, { op: 'subscribe', channel: 'thread:t3', cursor: `${partitionOf('thread:t3')}-95` });
    expect(await b.next()).toEqual({ op: 'reset', channel: 'thread:t3' });
    expect(await metric('threadcast_gateway_replays_refused_total')).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ labels: { reason: 'socket' }, value: 1 }),
        expect.objectContaining({ labels: { reason: 'pod' }, value: 1 }),
      ]),
    );
  });

  it('closes sockets past the per-address cap with 4429 and past the pod cap with 1013', async () => {
    await start({ maxSocketsPerAddress: 2, maxSockets: 3, clientAddressHeader: 'x-forwarded-for' });
    const from = (address: string) => ({ headers: { 'x-forwarded-for': address } });
    const a1 = await client(from('10.0.0.1'));
    await client(from('10.0.0.1'));
    const a3 = await client(from('10.0.0.1'));
    expect(await a3.closed).toBe(4429);
    // IPv6 addresses count per /64.
    await client(from('2001:db8:1:2::1'));
    const v6 = await client(from('2001:db8:1:2:ffff::9'));
    expect(await v6.closed).toBe(1013); // the pod's third socket is taken: full
    a1.ws.close();
    await until(() => server.socketCount === 2);
    const again = await client(from('10.0.0.1'));
    send(again, { op: 'ping' });
    expect(await again.next()).toEqual({ op: 'pong' });
    expect(await metric('threadcast_gateway_sockets_refused_total')).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ labels: { reason: 'address_full' }, value: 1 }),
        expect.objectContaining({ labels: { reason: 'pod_full' }, value: 1 }),
      ]),
    );
  });

  it('cuts a socket that does not read when presence frames pile up behind it', async () => {
    await start({ maxBufferedBytes: 64 * 1024 });
    const reader = await client();
    const stuck = await client();
    for (const c of [reader, stuck]) {
      send(c, { op: 'subscribe', channel: 'thread:t1' });
      await c.next();
    }
    // The stuck peer stops reading its TCP socket; the kernel buffers fill, then Node's.
    (stuck.ws as unknown as { _socket: { pause(): void } })._socket.pause();
    const big = JSON.stringify({ op: 'presence', channel: 'thread:t1', count: 1, pad: 'x'.repeat(100_000) });
    for (let i = 0; i < 400 && server.socketCount === 2; i++) {
      server.broadcast('thread:t1', big);
      await new Promise((r) => setImmediate(r));
    }
    (stuck.ws as unknown as { _socket: { resume(): void } })._socket.resume();
    expect(await stuck.closed).toBe(1013);
    expect(await metric('threadcast_gateway_slow_sockets_cut_total')).toMatchObject([{ value: 1 }]);
  });

  it('answers reset, then subscribed from now, for a cursor the log no longer holds', async () => {
    await start();
    feed.low = 50;
    const c = await client();
    const p = partitionOf('thread:t1');
    send(c, { op: 'subscribe', channel: 'thread:t1', cursor: `${p}-49` });
    expect(await c.next()).toEqual({ op: 'reset', channel: 'thread:t1' });
    expect(await c.next()).toEqual({ op: 'subscribed', channel: 'thread:t1', cursor: `${p}-100` });
    expect(await metric('threadcast_gateway_resets_total')).toMatchObject([{ value: 1 }]);
  });

  it('answers bad_request for a malformed cursor and unavailable when Kafka cannot be asked', async () => {
    await start();
    const c = await client();
    for (const cursor of ['abc', '99-1', '1-x', 7]) {
      send(c, { op: 'subscribe', channel: 'thread:t1', cursor });
      expect(await c.next()).toMatchObject({ op: 'error', code: 'bad_request' });
    }
    feed.failing = true;
    send(c, { op: 'subscribe', channel: 'thread:t1', id: 'f' });
    expect(await c.next()).toMatchObject({ op: 'error', code: 'unavailable', id: 'f', channel: 'thread:t1' });
    expect(feed.reads).toEqual([]);
  });

  it('drops frames over the rate limit with one error a second, and closes a flooder with 1008', async () => {
    await start({ maxMessagesPerSecond: 1, messageBurst: 2 });
    const c = await client();
    for (let i = 0; i < 4; i++) send(c, { op: 'ping', id: i });
    expect(await c.next()).toEqual({ op: 'pong', id: 0 });
    expect(await c.next()).toEqual({ op: 'pong', id: 1 });
    expect(await c.next()).toMatchObject({ op: 'error', code: 'rate_limited' });
    for (let i = 0; i < 200; i++) send(c, { op: 'ping' });
    expect(await c.closed).toBe(1008);
    expect(c.received.filter((f) => f.op !== 'error')).toEqual([]);
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
    const refused = await handshake(port, '/other');
    expect(refused).toMatch(/^HTTP\/1.1 404 /);
    expect(JSON.parse(refused.split('\r\n\r\n')[1]!)).toMatchObject({ error: { code: 'not_found' } });
  });

  it('cuts a socket that does not read its error replies', async () => {
    await start({ maxBufferedBytes: 64 * 1024, maxMessagesPerSecond: 1_000_000, messageBurst: 1_000_000 });
    const stuck = await client();
    (stuck.ws as unknown as { _socket: { pause(): void } })._socket.pause();
    // Each bad frame is answered with an error echoing its 128-character id: replies the peer
    // never reads, until the kernel's buffers and then Node's fill up.
    const bad = JSON.stringify({ op: 'nope', id: 'i'.repeat(128) });
    const cut = async () => (await metric('threadcast_gateway_slow_sockets_cut_total'))[0]?.value ?? 0;
    for (let i = 0; i < 100_000; i++) {
      stuck.ws.send(bad);
      if (i % 1000 === 999) {
        await new Promise((r) => setTimeout(r, 1));
        if ((await cut()) > 0) break;
      }
    }
    (stuck.ws as unknown as { _socket: { resume(): void } })._socket.resume();
    // It reads its backlog and the 1013 within the grace period.
    expect(await stuck.closed).toBe(1013);
    expect(await cut()).toBe(1);
  });

  it('drops a socket that stops answering pings, even one that keeps sending frames', async () => {
    await start({ pingIntervalMs: 50 });
    const healthy = await client();
    const silent = await client({ autoPong: false });
    // Frames are not liveness: only a pong shows the peer reads what it is sent.
    const chatter = setInterval(() => silent.ws.send('{"op":"ping"}'), 10);
    try {
      expect(await silent.closed).toBe(1006);
    } finally {
      clearInterval(chatter);
    }
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

/** A raw WebSocket handshake; resolves with everything the server sent before closing. */
/** The status line of a handshake on /ws with extra header lines; the socket is then dropped. */
function handshakeStatus(port: number, headers: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let data = '';
    socket.on('data', (d) => {
      data += d.toString();
      if (data.includes('\r\n')) {
        socket.destroy();
        resolve(data.split('\r\n')[0]!);
      }
    });
    socket.on('error', reject);
    socket.write(
      `GET /ws HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n${headers}` +
        'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n',
    );
  });
}

function handshake(port: number, path: string, headers = ''): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let data = '';
    socket.on('data', (d) => (data += d.toString()));
    socket.on('error', reject);
    socket.on('close', () => resolve(data));
    socket.write(
      `GET ${path} HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n${headers}` +
        'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n',
    );
  });
}
