import { readFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { HEADERS, TOPICS } from '@threadcast/contracts';
import { createKafka, createKeyedProducer } from '@threadcast/kafka';
import { createLogger } from '@threadcast/runtime';
import { SignJWT } from 'jose';
import WebSocket from 'ws';
import { brokers, provisionTopics, startService, type RunningService } from './services';
import { TestClient, type Frame } from './ws-client';

const SECRET = 'e2e-secret-e2e-secret-e2e-secret-e2e';
const RSS_BOUND_MB = 200;

// The gateway's edges against a real gateway process and broker: token checks at the
// handshake, a reader that stops reading, and a protocol fuzz.
describe('gateway edges', () => {
  let strict: RunningService; // default limits, tokens signed with SECRET
  let roomy: RunningService; // a rate limit high enough to reach the subscription limit
  const run = Math.random().toString(36).slice(2, 8);
  const logger = createLogger({ service: 'e2e', level: 'silent' });
  const kafka = createKafka(
    { KAFKA_BROKERS: brokers().split(','), KAFKA_SSL: false, KAFKA_SASL_MECHANISM: 'none' },
    logger,
    'e2e-edges',
  );
  const producer = createKeyedProducer(kafka);
  const sockets: WebSocket[] = [];
  const connect = async (address: string) => {
    const c = await TestClient.connect(address);
    sockets.push(c.ws);
    return c;
  };

  beforeAll(async () => {
    await provisionTopics();
    [strict, roomy] = await Promise.all([
      startService('gateway', { GATEWAY_JWT_SECRET: SECRET }),
      startService('gateway', { GATEWAY_MAX_MESSAGES_PER_SECOND: '100000', GATEWAY_MESSAGE_BURST: '100000' }),
    ]);
    await producer.connect();
  });
  afterAll(async () => {
    for (const ws of sockets) ws.terminate();
    await producer.disconnect();
    await Promise.all([strict?.stop(), roomy?.stop()]);
  });

  const url = (pod: RunningService, query = '') => `ws://127.0.0.1:${pod.port}/ws${query}`;
  const jwt = (claims: Record<string, unknown>, opts: { exp?: number | string; secret?: string } = {}) =>
    new SignJWT(claims)
      .setProtectedHeader({ alg: 'HS256' })
      .setExpirationTime(opts.exp ?? '10m')
      .sign(new TextEncoder().encode(opts.secret ?? SECRET));
  /** Connects, or resolves with the HTTP status and JSON body of a refused handshake. */
  const handshake = (address: string) =>
    new Promise<{ status: number; body?: { error: { code: string; message: string } } }>(
      (resolve, reject) => {
        const ws = new WebSocket(address);
        sockets.push(ws);
        ws.once('open', () => resolve({ status: 101 }));
        ws.once('unexpected-response', (_, res) => {
          let text = '';
          res.on('data', (d: Buffer) => (text += d.toString()));
          res.on('end', () => resolve({ status: res.statusCode!, body: JSON.parse(text) }));
        });
        ws.once('error', (e) => (e.message.startsWith('Unexpected server response') ? undefined : reject(e)));
      },
    );
  const answer = async (c: TestClient, channel: string) => {
    const before = c.frames.length;
    c.ws.send(JSON.stringify({ op: 'subscribe', channel }));
    const f = await c.waitFor(channel, (x) => x.channel === channel && c.frames.indexOf(x) >= before);
    return f.op === 'error' ? f.code : f.op;
  };
  const healthy = async (pod: RunningService) => {
    expect(pod.child.exitCode).toBeNull();
    expect((await fetch(`http://127.0.0.1:${pod.opsPort}/healthz`)).status).toBe(200);
    const c = await connect(url(pod));
    c.ws.send('{"op":"ping","id":"alive"}');
    await c.waitFor('pong', (f) => f.op === 'pong' && f.id === 'alive');
    c.close();
  };
  const metric = async (pod: RunningService, name: string) => {
    const text = await (await fetch(`http://127.0.0.1:${pod.opsPort}/metrics`)).text();
    const line = text.split('\n').find((l) => l.startsWith(`${name}{`) || l.startsWith(`${name} `));
    return line === undefined ? 0 : Number(line.split(' ').pop());
  };

  it('authorizes channels by token and refuses bad tokens at the handshake with 401', async () => {
    const anonymous = await connect(url(strict));
    expect(await answer(anonymous, `thread:${run}`)).toBe('subscribed');
    expect(await answer(anonymous, 'user:alice')).toBe('forbidden');

    const alice = await connect(url(strict, `?token=${await jwt({ sub: 'alice', mod: ['f1'] })}`));
    expect(await answer(alice, `thread:${run}`)).toBe('subscribed');
    expect(await answer(alice, 'user:alice')).toBe('subscribed');
    expect(await answer(alice, 'user:bob')).toBe('forbidden');
    expect(await answer(alice, 'mod:f1')).toBe('subscribed');
    expect(await answer(alice, 'mod:f2')).toBe('forbidden');
    for (const c of [anonymous, alice]) c.close();

    const expired = await handshake(
      url(strict, `?token=${await jwt({ sub: 'alice' }, { exp: Math.floor(Date.now() / 1000) - 5 })}`),
    );
    expect(expired).toEqual({
      status: 401,
      body: { error: { code: 'unauthorized', message: 'token expired' } },
    });
    const forged = await handshake(
      url(strict, `?token=${await jwt({ sub: 'alice' }, { secret: 'x'.repeat(40) })}`),
    );
    expect(forged).toEqual({
      status: 401,
      body: { error: { code: 'unauthorized', message: 'bad token signature' } },
    });
    // A gateway with no key configured takes no token at all rather than ignoring it.
    const unverifiable = await handshake(url(roomy, `?token=${await jwt({ sub: 'alice' })}`));
    expect(unverifiable.status).toBe(401);
  });

  it('drops a client that stops reading while 20 MB flow to its channel; others keep up; RSS stays bounded', async () => {
    const thread = `flood-${run}`;
    const channel = `thread:${thread}`;
    const normal = await connect(url(roomy));
    await normal.subscribe(channel);
    const stalled = await connect(url(roomy));
    await stalled.subscribe(channel);
    // Stop reading the TCP socket: the kernel buffers fill, then the gateway's.
    (stalled.ws as unknown as { _socket: { pause(): void } })._socket.pause();

    const padding = 'x'.repeat(50 * 1024);
    const count = 400; // 400 × 50 KiB = 20 MB
    let peakRssMb = 0;
    const sample = setInterval(() => {
      const status = readFileSync(`/proc/${roomy.child.pid}/status`, 'utf8');
      peakRssMb = Math.max(peakRssMb, Number(/VmRSS:\s+(\d+)/.exec(status)![1]) / 1024);
    }, 50);
    try {
      for (let n = 0; n < count; n += 20) {
        await producer.send(
          Array.from({ length: 20 }, (_, i) => ({
            topic: TOPICS.deliveries,
            key: thread,
            value: JSON.stringify({
              op: 'event',
              channel,
              event: { type: 'comment.deleted', eventId: `flood-${n + i}`, id: `c${n + i}`, padding },
            }),
            headers: { [HEADERS.channel]: channel },
          })),
        );
        // The normal reader keeps up (a slow test process must not make it a slow consumer
        // too); the stalled one falls further behind with every batch.
        await normal.waitForEvents('the batch', channel, n + 20, 60_000);
      }
      await normal.waitForEvents('every flooded event', channel, count, 60_000);
      // The stalled client cannot see its close (it reads nothing): the pod's books show it.
      for (let i = 0; i < 200 && (await metric(roomy, 'threadcast_gateway_sockets')) !== 1; i++) {
        await new Promise((r) => setTimeout(r, 50));
      }
    } finally {
      clearInterval(sample);
    }
    expect(normal.events(channel).map((e) => e.eventId)).toEqual(
      Array.from({ length: count }, (_, i) => `flood-${i}`),
    );
    expect(await metric(roomy, 'threadcast_gateway_slow_sockets_cut_total')).toBe(1);
    expect(await metric(roomy, 'threadcast_gateway_sockets')).toBe(1); // the normal client only
    expect(peakRssMb).toBeLessThan(RSS_BOUND_MB);
    console.log(`flood: peak gateway RSS ${peakRssMb.toFixed(0)} MB (bound ${RSS_BOUND_MB} MB)`);
    normal.close();
    await healthy(roomy);
  });

  it('survives a protocol fuzz: each bad input gets its error or close code', async () => {
    // Random bytes as text frames and as binary frames.
    const c = await connect(url(roomy));
    for (let i = 0; i < 200; i++) c.ws.send(randomBytes(1 + (i % 300)), { binary: i % 2 === 0 });
    const closedOrErrors = await Promise.race([
      new Promise<string>((resolve) => c.ws.once('close', (code) => resolve(`close ${code}`))),
      c
        .waitFor('200 errors', () => c.frames.filter((f) => f.op === 'error').length === 200)
        .then(() => 'errors'),
    ]);
    // Random text is almost never valid UTF-8: ws closes with 1007; otherwise every frame got bad_request.
    expect(['close 1007', 'errors']).toContain(closedOrErrors);
    expect(c.frames.every((f: Frame) => f.op === 'error' && f.code === 'bad_request')).toBe(true);

    // Unknown ops and malformed frames: an error each, the socket stays.
    const d = await connect(url(roomy));
    const bad = [
      '{"op":"launch"}',
      '[]',
      'null',
      '{"op":"subscribe","channel":"room:1"}',
      '{"op":"subscribe"}',
      '{',
    ];
    for (const frame of bad) d.ws.send(frame);
    await d.waitFor('errors', () => d.frames.length === bad.length);
    expect(d.frames.map((f) => f.code)).toEqual(bad.map(() => 'bad_request'));

    // A huge frame: 1009 (message too big).
    const e = await connect(url(roomy));
    const tooBig = new Promise<number>((resolve) => e.ws.once('close', resolve));
    e.ws.send(JSON.stringify({ op: 'ping', id: 'x'.repeat(1024 * 1024) }));
    expect(await tooBig).toBe(1009);

    // 10,000 subscriptions on one socket: the first 100 are taken, each other one refused.
    const f = await connect(url(roomy));
    for (let i = 0; i < 10_000; i++)
      f.ws.send(JSON.stringify({ op: 'subscribe', channel: `thread:many-${run}-${i}` }));
    // Each taken subscription also gets a presence frame (count 1: nobody else reads these).
    const answers = () => f.frames.filter((x) => x.op !== 'presence');
    await f.waitFor('10,000 answers', () => answers().length === 10_000, 60_000);
    expect(answers().filter((x) => x.op === 'subscribed')).toHaveLength(100);
    expect(answers().filter((x) => x.code === 'too_many_subscriptions')).toHaveLength(9_900);
    await f.waitFor('100 presence frames', () => f.frames.filter((x) => x.op === 'presence').length === 100);
    expect(new Set(f.frames.filter((x) => x.op === 'presence').map((x) => x.count))).toEqual(new Set([1]));

    // A subscribe flood at the default rate limit: dropped with rate_limited, then closed with 1008.
    const g = await connect(url(strict));
    const flooded = new Promise<number>((resolve) => g.ws.once('close', resolve));
    for (let i = 0; i < 5_000; i++)
      g.ws.send(JSON.stringify({ op: 'subscribe', channel: `thread:flood-${i}` }));
    expect(await flooded).toBe(1008);
    expect(g.frames.some((x) => x.code === 'rate_limited')).toBe(true);
    expect(g.frames.filter((x) => x.op === 'subscribed').length).toBeLessThanOrEqual(100);

    await healthy(roomy);
    await healthy(strict);
  });
});
