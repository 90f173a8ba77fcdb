/**
 * The client against a real WebSocket server that the test scripts frame by frame, run with the
 * `ws` package's client and with the runtime's global (WHATWG, as in browsers) WebSocket.
 */
import type { AddressInfo } from 'node:net';
import type { ClientEvent } from '@threadcast/contracts';
// The test plays the gateway, which needs a WebSocket server; src/ itself never imports ws.
import WebSocket, { WebSocketServer } from 'ws';
import {
  createClient,
  type Client,
  type ClientOptions,
  type ClientState,
  type CloseInfo,
} from './create-client';
import type { EventMeta } from './subscription';
import type { WebSocketConstructor } from './websocket-like';

type Frame = Record<string, unknown>;

/** Values pushed by callbacks, taken in order by the test. */
function queue<T>() {
  const items: T[] = [];
  const waiting: ((item: T) => void)[] = [];
  return {
    push(item: T) {
      const w = waiting.shift();
      if (w) w(item);
      else items.push(item);
    },
    next(): Promise<T> {
      if (items.length > 0) return Promise.resolve(items.shift()!);
      return new Promise((resolve) => waiting.push(resolve));
    },
    get length() {
      return items.length;
    },
  };
}

/** The server's end of one connection. */
interface Peer {
  /** The request path and query. */
  url: string;
  /** The next frame the client sent, parsed. */
  next(): Promise<Frame>;
  send(frame: unknown): void;
  close(code: number, reason: string): void;
  terminate(): void;
  closed: Promise<number>;
}

interface ScriptedServer {
  url: string;
  nextPeer(): Promise<Peer>;
  /** ms timestamps of each accepted connection. */
  connectedAt: number[];
  stop(): Promise<void>;
}

async function startServer(onConnect?: (peer: Peer) => void): Promise<ScriptedServer> {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, path: '/ws' });
  await new Promise((resolve) => wss.once('listening', resolve));
  const peers = queue<Peer>();
  const connectedAt: number[] = [];
  wss.on('connection', (ws, req) => {
    connectedAt.push(Date.now());
    const frames = queue<Frame>();
    ws.on('message', (data) => frames.push(JSON.parse(data.toString()) as Frame));
    const peer: Peer = {
      url: req.url ?? '',
      next: () => frames.next(),
      send: (frame) => ws.send(typeof frame === 'string' ? frame : JSON.stringify(frame)),
      close: (code, reason) => ws.close(code, reason),
      terminate: () => ws.terminate(),
      closed: new Promise((resolve) => ws.on('close', (code) => resolve(code))),
    };
    if (onConnect) onConnect(peer);
    else peers.push(peer);
  });
  const { port } = wss.address() as AddressInfo;
  return {
    url: `ws://127.0.0.1:${port}/ws`,
    nextPeer: () => peers.next(),
    connectedAt,
    stop: () =>
      new Promise((resolve) => {
        for (const ws of wss.clients) ws.terminate();
        wss.close(() => resolve());
      }),
  };
}

const event = (eventId: string, threadId = 't1'): ClientEvent => ({
  type: 'comment.deleted',
  eventId,
  id: `c-${eventId}`,
  threadId,
  deletedAt: '2025-01-01T00:00:00.000Z',
});

/** An event frame as the gateway writes it: the deliveries record with the cursor spliced in. */
const eventFrame = (channel: string, eventId: string, cursor: string) =>
  `{"op":"event","channel":"${channel}","event":${JSON.stringify(event(eventId, channel.split(':')[1]))},"cursor":"${cursor}"}`;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function until(what: () => boolean, ms = 2_000) {
  for (const end = Date.now() + ms; !what() && Date.now() < end;) await sleep(5);
  expect(what()).toBe(true);
}

describe.each([
  ['the ws package', WebSocket as WebSocketConstructor],
  // Undefined: the client's default, globalThis.WebSocket (Node 22+), the API browsers have.
  ['the global WebSocket', undefined],
])('client with %s', (_name, WebSocketImpl) => {
  let server: ScriptedServer;
  let client: Client | undefined;
  let states: { state: ClientState; info?: CloseInfo }[];
  let stateChanges: ReturnType<typeof queue<ClientState>>;
  let errors: string[];

  beforeEach(async () => {
    server = await startServer();
    states = [];
    stateChanges = queue<ClientState>();
    errors = [];
  });

  afterEach(async () => {
    client?.close();
    client = undefined;
    await server.stop();
  });

  function connect(opts: Partial<ClientOptions> = {}): Client {
    client = createClient({
      url: server.url,
      WebSocketImpl,
      backoff: { initialMs: 10, maxMs: 40 },
      pingIntervalMs: 60_000,
      onStateChange: (state, info) => {
        states.push(info ? { state, info } : { state });
        stateChanges.push(state);
      },
      onError: (code, message) => errors.push(`${code}: ${message}`),
      ...opts,
    });
    return client;
  }

  async function nextState(want: ClientState) {
    for (;;) if ((await stateChanges.next()) === want) return;
  }

  function recorder() {
    const events = queue<{ event: ClientEvent; meta: EventMeta }>();
    const seen: string[] = [];
    const resets = queue<true>();
    const errs: string[] = [];
    return {
      events,
      seen,
      resets,
      errs,
      handlers: {
        onEvent: (e: ClientEvent, meta: EventMeta) => {
          seen.push(e.eventId);
          events.push({ event: e, meta });
        },
        onReset: () => resets.push(true),
        onError: (code: string, message: string) => errs.push(`${code}: ${message}`),
      },
    };
  }

  /** Reads the client's subscribe frame and confirms it, as the gateway does. */
  async function acceptSubscribe(peer: Peer, cursor: string | null = null): Promise<Frame> {
    const frame = await peer.next();
    expect(frame.op).toBe('subscribe');
    peer.send({ op: 'subscribed', channel: frame.channel, cursor });
    return frame;
  }

  it('subscribes with no cursor the first time, sends the token, and delivers events with their cursor', async () => {
    const c = connect({ token: 'a b' });
    const t1 = recorder();
    c.subscribe('thread:t1', t1.handlers); // before the socket is open: sent once it is
    const peer = await server.nextPeer();
    expect(peer.url).toBe('/ws?token=a%20b');
    expect(await acceptSubscribe(peer)).toEqual({ op: 'subscribe', channel: 'thread:t1' });
    peer.send(eventFrame('thread:t1', 'e1', '0-1'));
    const got = await t1.events.next();
    expect(got).toEqual({ event: event('e1'), meta: { channel: 'thread:t1', cursor: '0-1' } });
    expect(c.cursor('thread:t1')).toBe('0-1');
    expect(c.state).toBe('open');
    expect(states.map((s) => s.state)).toEqual(['connecting', 'open']);
  });

  it('resubscribes every channel with its last cursor after the server drops the connection', async () => {
    const c = connect();
    const t1 = recorder();
    const t2 = recorder();
    c.subscribe('thread:t1', t1.handlers);
    let peer = await server.nextPeer();
    await acceptSubscribe(peer, '0-0');
    peer.send(eventFrame('thread:t1', 'e1', '0-1'));
    peer.send(eventFrame('thread:t1', 'e2', '0-2'));
    await t1.events.next();
    await t1.events.next();
    // Subscribed while open, and no event yet: the server's position is the resume point.
    c.subscribe('thread:t2', t2.handlers);
    await acceptSubscribe(peer, '5-7');
    await until(() => c.cursor('thread:t2') === '5-7');

    peer.terminate();
    await nextState('reconnecting');
    peer = await server.nextPeer();
    expect(await acceptSubscribe(peer)).toEqual({ op: 'subscribe', channel: 'thread:t1', cursor: '0-2' });
    expect(await acceptSubscribe(peer)).toEqual({ op: 'subscribe', channel: 'thread:t2', cursor: '5-7' });
    peer.send(eventFrame('thread:t1', 'e3', '0-3'));
    expect((await t1.events.next()).meta.cursor).toBe('0-3');

    // A graceful close (a pod draining) is retried too, and its code and reason are reported.
    peer.close(1012, 'service restart');
    await nextState('reconnecting');
    expect(states.at(-1)?.info).toMatchObject({ code: 1012, reason: 'service restart' });
    peer = await server.nextPeer();
    expect(await acceptSubscribe(peer)).toMatchObject({ channel: 'thread:t1', cursor: '0-3' });
    expect(states.map((s) => s.state)).toEqual([
      'connecting',
      'open',
      'reconnecting',
      'open',
      'reconnecting',
      'open',
    ]);
  });

  it('drops duplicate eventIds, including the overlap replayed after a reconnect', async () => {
    const c = connect();
    const t1 = recorder();
    c.subscribe('thread:t1', t1.handlers);
    let peer = await server.nextPeer();
    await acceptSubscribe(peer);
    peer.send(eventFrame('thread:t1', 'e1', '0-1'));
    peer.send(eventFrame('thread:t1', 'e1', '0-2')); // re-produced upstream: a later offset
    peer.send(eventFrame('thread:t1', 'e2', '0-3'));
    await until(() => c.cursor('thread:t1') === '0-3');
    expect(t1.seen).toEqual(['e1', 'e2']);

    peer.terminate();
    peer = await server.nextPeer();
    expect(await acceptSubscribe(peer)).toMatchObject({ cursor: '0-3' });
    peer.send(eventFrame('thread:t1', 'e2', '0-3'));
    peer.send(eventFrame('thread:t1', 'e3', '0-4'));
    await until(() => c.cursor('thread:t1') === '0-4');
    expect(t1.seen).toEqual(['e1', 'e2', 'e3']);
  });

  it('reset calls onReset and forgets the cursor, so the next subscribe starts afresh', async () => {
    const c = connect();
    const t1 = recorder();
    c.subscribe('thread:t1', t1.handlers);
    let peer = await server.nextPeer();
    await acceptSubscribe(peer);
    peer.send(eventFrame('thread:t1', 'e1', '0-1'));
    await t1.events.next();
    peer.send({ op: 'reset', channel: 'thread:t1' });
    await t1.resets.next();
    expect(c.cursor('thread:t1')).toBeUndefined();

    peer.terminate();
    peer = await server.nextPeer();
    expect(await acceptSubscribe(peer)).toEqual({ op: 'subscribe', channel: 'thread:t1' });
  });

  it('presence frames reach onPresence of the channel they name', async () => {
    const c = connect();
    const counts: number[] = [];
    const other: number[] = [];
    c.subscribe('thread:t1', { onEvent: () => {}, onPresence: (n) => counts.push(n) });
    c.subscribe('thread:t2', { onEvent: () => {}, onPresence: (n) => other.push(n) });
    const peer = await server.nextPeer();
    await acceptSubscribe(peer);
    await acceptSubscribe(peer);
    peer.send({ op: 'presence', channel: 'thread:t1', count: 2 });
    peer.send({ op: 'presence', channel: 'thread:t1', count: 1 });
    peer.send(eventFrame('thread:t1', 'e1', '0-1'));
    await until(() => c.cursor('thread:t1') === '0-1');
    expect(counts).toEqual([2, 1]);
    expect(other).toEqual([]);
  });

  it('close() closes the socket normally and stops reconnecting', async () => {
    const c = connect();
    const peer = await server.nextPeer();
    await nextState('open');
    c.close();
    expect(c.state).toBe('closed');
    expect(await peer.closed).toBe(1000);
    await sleep(100); // more than the backoff ceiling
    expect(server.connectedAt).toHaveLength(1);
    expect(states.at(-1)).toEqual({ state: 'closed', info: { code: 1000, reason: 'client closed' } });
    expect(() => c.subscribe('thread:t1', recorder().handlers)).toThrow('client is closed');
    c.close(); // idempotent
    expect(states.filter((s) => s.state === 'closed')).toHaveLength(1);
  });

  it('close() while waiting to reconnect cancels the retry', async () => {
    const c = connect({ backoff: { initialMs: 100, maxMs: 100 }, random: () => 0.99 });
    (await server.nextPeer()).terminate();
    await nextState('reconnecting');
    c.close();
    await sleep(150);
    expect(server.connectedAt).toHaveLength(1);
    expect(c.state).toBe('closed');
  });

  it('stops on an auth close (4401) and reports why', async () => {
    const c = connect();
    const peer = await server.nextPeer();
    await nextState('open');
    peer.close(4401, 'token expired');
    await nextState('closed');
    expect(states.at(-1)).toEqual({ state: 'closed', info: { code: 4401, reason: 'token expired' } });
    await sleep(100);
    expect(server.connectedAt).toHaveLength(1);
    expect(c.state).toBe('closed');
  });

  it('backs off with a ceiling that doubles up to maxMs', async () => {
    const delays: number[] = [];
    await server.stop();
    server = await startServer((peer) => peer.terminate());
    connect({
      backoff: { initialMs: 20, maxMs: 100 },
      random: () => 0.99,
      onStateChange: (state, info) => {
        if (state === 'reconnecting') delays.push(info!.retryInMs!);
      },
    });
    await until(() => server.connectedAt.length >= 6);
    expect(delays.slice(0, 5)).toEqual([19, 39, 79, 99, 99]);
    // The waits really happen: each gap between connections is at least its delay.
    for (let i = 0; i < 5; i++) {
      expect(server.connectedAt[i + 1]! - server.connectedAt[i]!).toBeGreaterThanOrEqual(delays[i]! - 1);
    }
  });

  it('draws each delay at random under the ceiling (full jitter)', async () => {
    const delays: number[] = [];
    const draws = [0.9, 0.1, 0.6, 0.05];
    let i = 0;
    await server.stop();
    server = await startServer((peer) => peer.terminate());
    connect({
      backoff: { initialMs: 20, maxMs: 1_000 },
      random: () => draws[i++ % draws.length]!,
      onStateChange: (state, info) => {
        if (state === 'reconnecting') delays.push(info!.retryInMs!);
      },
    });
    await until(() => delays.length >= 4);
    // Ceilings 20, 40, 80, 160: the delays are random fractions of them, not a fixed ladder.
    expect(delays.slice(0, 4)).toEqual([18, 4, 48, 8]);
  });

  it('starts the backoff over once a connection stayed open stableAfterMs', async () => {
    let clock = 0;
    const delays: number[] = [];
    connect({
      backoff: { initialMs: 20, maxMs: 1_000 },
      random: () => 0.99,
      now: () => clock,
      stableAfterMs: 1_000,
      onStateChange: (state, info) => {
        stateChanges.push(state);
        if (state === 'reconnecting') delays.push(info!.retryInMs!);
      },
    });
    for (let n = 0; n < 3; n++) {
      const peer = await server.nextPeer();
      await nextState('open');
      if (n === 2) clock += 1_000; // this one stays up long enough to count as healthy
      peer.terminate();
      await nextState('reconnecting');
    }
    expect(delays).toEqual([19, 39, 19]);
  });

  it('pings an idle connection, and reconnects when nothing answers within two intervals', async () => {
    connect({ pingIntervalMs: 40 });
    let peer = await server.nextPeer();
    await nextState('open');
    expect(await peer.next()).toEqual({ op: 'ping' }); // left unanswered
    await nextState('reconnecting');
    expect(states.at(-1)?.info).toMatchObject({ code: 1006, reason: expect.stringMatching(/ping/) });
    peer = await server.nextPeer();
    await nextState('open');
  });

  it('keeps a connection that answers its pings', async () => {
    let pings = 0;
    await server.stop();
    server = await startServer((peer) => {
      void (async () => {
        for (;;) {
          if ((await peer.next()).op !== 'ping') continue;
          pings++;
          peer.send({ op: 'pong' });
        }
      })();
    });
    const c = connect({ pingIntervalMs: 30 });
    await sleep(250); // 8 intervals: long enough to have been declared dead 3 times over
    expect(pings).toBeGreaterThanOrEqual(2);
    expect(server.connectedAt).toHaveLength(1);
    expect(c.state).toBe('open');
  });

  it('routes errors to the subscription by channel, and the rest to onError', async () => {
    const c = connect();
    const u2 = recorder();
    c.subscribe('user:u2', u2.handlers);
    const peer = await server.nextPeer();
    await peer.next();
    peer.send({
      op: 'error',
      code: 'forbidden',
      message: 'not allowed to subscribe to user:u2',
      channel: 'user:u2',
    });
    peer.send({ op: 'error', code: 'bad_request', message: 'op must be subscribe, unsubscribe or ping' });
    peer.send('not json');
    peer.send({ op: 'future_op' }); // ignored: a newer server may send ops this client does not know
    peer.send({ op: 'pong' });
    await until(() => errors.length === 2);
    expect(u2.errs).toEqual(['forbidden: not allowed to subscribe to user:u2']);
    expect(errors).toEqual([
      'bad_request: op must be subscribe, unsubscribe or ping',
      'bad_frame: frame is not JSON',
    ]);
  });

  it('leaves a channel on the wire only when its last subscription is gone', async () => {
    const c = connect();
    const a = recorder();
    const b = recorder();
    const peer = await server.nextPeer();
    await nextState('open');
    const subA = c.subscribe('thread:t1', a.handlers);
    const subB = c.subscribe('thread:t1', b.handlers);
    c.subscribe('thread:t2', recorder().handlers);
    await acceptSubscribe(peer);
    expect(await acceptSubscribe(peer)).toMatchObject({ channel: 'thread:t2' }); // one subscribe for t1

    peer.send(eventFrame('thread:t1', 'e1', '0-1'));
    await b.events.next();
    subA.unsubscribe();
    subA.unsubscribe(); // idempotent
    peer.send(eventFrame('thread:t1', 'e2', '0-2'));
    await b.events.next();
    expect(a.seen).toEqual(['e1']);
    expect(b.seen).toEqual(['e1', 'e2']);

    subB.unsubscribe();
    expect(await peer.next()).toEqual({ op: 'unsubscribe', channel: 'thread:t1' });
    expect(c.cursor('thread:t1')).toBeUndefined();
    peer.send(eventFrame('thread:t1', 'e3', '0-3')); // in flight before the server saw it: ignored
    peer.send({ op: 'unsubscribed', channel: 'thread:t1' });
    await sleep(20);
    expect(b.seen).toEqual(['e1', 'e2']);
  });

  it('rejects a malformed channel before sending anything', () => {
    const c = connect();
    expect(() => c.subscribe('room:1', recorder().handlers)).toThrow(/bad channel/);
  });
});
