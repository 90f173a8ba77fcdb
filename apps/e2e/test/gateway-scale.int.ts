import { channelKey } from '@threadcast/contracts';
import { partitionForKey } from '@threadcast/kafka';
import { recordingClient, waitUntil, type RecordingClient } from './recording-client';
import { startPipeline, startService, type RunningService } from './services';
import { startBalancer, type TcpBalancer } from './tcp-balancer';
import { postJson } from './ws-client';

const PARTITIONS = 12; // KAFKA_PARTITIONS' default, which the e2e topics are provisioned with
const DRAIN_MS = 3000;
const SHUTDOWN_TIMEOUT_MS = 8000;
const gatewayEnv = { GATEWAY_DRAIN_MS: String(DRAIN_MS), SHUTDOWN_TIMEOUT_MS: String(SHUTDOWN_TIMEOUT_MS) };

// The issue-4 scale-out tests: several gateway processes on the real broker behind a stand-in
// for a Kubernetes Service, clients from libs/client, comments posted through ingest.
describe('gateway pods scaling out', () => {
  let p: Awaited<ReturnType<typeof startPipeline>>;
  const extra: RunningService[] = [];
  const clients: RecordingClient[] = [];
  const balancers: TcpBalancer[] = [];
  const run = Math.random().toString(36).slice(2, 8);
  const partitionOf = (thread: string) => partitionForKey(channelKey(`thread:${thread}`), PARTITIONS);

  beforeAll(async () => {
    p = await startPipeline({ gateway: gatewayEnv });
  });
  afterAll(async () => {
    for (const c of clients) c.client.close();
    for (const b of balancers) await b.close();
    await Promise.all(extra.map((s) => s.stop()));
    await p?.stop();
  });

  const gateway = async () => {
    const g = await startService('gateway', gatewayEnv);
    extra.push(g);
    return g;
  };
  const balancer = async (...pods: RunningService[]) => {
    const b = await startBalancer(pods.map((g) => g.port));
    balancers.push(b);
    return b;
  };
  const connect = (port: number, thread: string) => {
    const c = recordingClient(`ws://127.0.0.1:${port}/ws`, `thread:${thread}`);
    clients.push(c);
    return c;
  };
  /** Posts a comment and returns its id once ingest accepted it. */
  const post = async (thread: string, n: number) => {
    const res = await postJson(`${p.ingestUrl}/v1/threads/${thread}/comments`, {
      author: { id: `reader-${run}` },
      body: `comment ${n}`,
    });
    expect(res.status).toBe(202);
    return res.body.id as string;
  };
  const readingPartitions = async (pod: RunningService) => {
    const text = await (await fetch(`http://127.0.0.1:${pod.opsPort}/metrics`)).text();
    const reading = /^threadcast_gateway_partition_reading\{[^}]*partition="(\d+)"[^}]*\} 1$/gm;
    return [...text.matchAll(reading)].map((m) => Number(m[1])).sort((x, y) => x - y);
  };
  /** A thread on a partition outside `avoid`. */
  const threadOutside = (label: string, avoid: number[]) => {
    for (let i = 0; ; i++) {
      const thread = `${label}-${run}-${i}`;
      if (!avoid.includes(partitionOf(thread))) return thread;
    }
  };

  it('delivers every comment to clients on both pods; a pod reads only partitions its sockets need', async () => {
    const b = await gateway();
    const shared = threadOutside('shared', []);
    const onA = [connect(p.gateway.port, shared), connect(p.gateway.port, shared)];
    const onB = [connect(b.port, shared), connect(b.port, shared)];
    await Promise.all([...onA, ...onB].map((c) => c.subscribed()));
    const ids: string[] = [];
    for (let n = 0; n < 20; n++) ids.push(await post(shared, n));
    for (const c of [...onA, ...onB]) await waitUntil('all comments on every pod', () => c.seen.length >= 20);
    for (const c of [...onA, ...onB]) expect(c.seen).toEqual(ids);

    // A thread whose partition no socket of B needs: A reads it, B does not.
    const onlyA = threadOutside('only-a', [partitionOf(shared)]);
    const lone = connect(p.gateway.port, onlyA);
    await lone.subscribed();
    const id = await post(onlyA, 0);
    await waitUntil('the comment on A', () => lone.seen.length === 1);
    expect(lone.seen).toEqual([id]);
    expect(await readingPartitions(p.gateway)).toEqual(
      [partitionOf(shared), partitionOf(onlyA)].sort((x, y) => x - y),
    );
    expect(await readingPartitions(b)).toEqual([partitionOf(shared)]);
  });

  it.each(['SIGKILL', 'SIGTERM'] as const)(
    'after %s of a pod, its clients resume on another with every comment, in order, once',
    async (signal) => {
      const [doomed, survivor] = [await gateway(), await gateway()];
      const lb = await balancer(doomed, survivor);
      const thread = `kill-${signal}-${run}`;
      const readers = [connect(lb.port, thread), connect(lb.port, thread), connect(lb.port, thread)];
      await Promise.all(readers.map((c) => c.subscribed()));

      // A steady stream: one comment every 20 ms, the pod going down a third of the way in.
      const accepted: string[] = [];
      let exit: Promise<number | null> | undefined;
      let killedAt = 0;
      let exitedAt = 0;
      for (let n = 0; n < 90; n++) {
        if (n === 30) {
          killedAt = Date.now();
          exit = doomed.stop(signal).then((code) => {
            exitedAt = Date.now();
            return code;
          });
        }
        accepted.push(await post(thread, n));
        await new Promise((r) => setTimeout(r, 20));
      }
      for (const c of readers)
        await waitUntil(`all ${accepted.length} comments`, () => c.seen.length >= accepted.length);
      for (const c of readers) {
        expect(c.seen).toEqual(accepted);
        // Not only deduplicated by the library: the server sent each event once.
        expect(new Set(c.wire).size).toBe(c.wire.length);
        expect(c.states).toContain('reconnecting');
        expect(c.resets).toBe(0);
      }
      const code = await exit;
      if (signal === 'SIGTERM') {
        // Exit 0: the drain finished before the shutdown deadline forced an exit.
        expect(code).toBe(0);
        // The spec's bound, not a speed measurement: the pod is gone within its drain time.
        expect(exitedAt - killedAt).toBeLessThan(DRAIN_MS);
        for (const c of readers) expect(c.closeCodes[0]).toBe(1012);
      }
    },
  );

  it('resumes after an idle gap with exactly the comments it missed, in order, then live ones', async () => {
    const lb = await balancer(p.gateway);
    const thread = `gap-${run}`;
    const reader = connect(lb.port, thread);
    await reader.subscribed();
    const first = await post(thread, 0);
    await waitUntil('the first comment', () => reader.seen.length === 1);

    lb.down(); // the reader is cut off and retries
    await waitUntil('the client to notice', () => reader.states.includes('reconnecting'));
    const wireBefore = reader.wire.length;
    const missed: string[] = [];
    for (let n = 1; n <= 200; n++) missed.push(await post(thread, n));
    lb.up();
    await waitUntil('the 200 missed comments', () => reader.seen.length >= 201);
    const live = await post(thread, 201);
    await waitUntil('a live comment', () => reader.seen.length >= 202);

    expect(reader.seen).toEqual([first, ...missed, live]);
    expect(reader.wire.slice(wireBefore)).toHaveLength(201);
  });
});
