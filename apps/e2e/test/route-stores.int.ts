import { randomUUID } from 'node:crypto';
import { decodeEnrichedEvent, DLQ_HEADERS, TOPICS } from '@threadcast/contracts';
import { createKeyedProducer, partitionForKey, readLog, type OutRecord } from '@threadcast/kafka';
import { testKafka } from '@threadcast/test-support';
import { provisionTopics, startService, type RunningService } from './services';
import { heldPartitions, until } from './store-pods';

/**
 * Two route pods on the real broker, fed straight into comments.enriched: each holds only its
 * partitions of the votes store (its metric says so), and when one is SIGKILLed the other
 * restores its partitions from the changelog and goes on: every tally exact, no vote lost,
 * none counted twice.
 */
describe('route state stores', () => {
  const { kafka, logger } = testKafka('e2e-route-stores');
  const producer = createKeyedProducer(kafka);
  const run = randomUUID().slice(0, 6);
  const services: RunningService[] = [];
  const PARTITIONS = 12;

  beforeAll(async () => {
    await provisionTopics();
    await producer.connect();
  });
  afterAll(async () => {
    await Promise.all(services.map((s) => s.stop('SIGKILL')));
    await producer.disconnect();
  });

  const heldBy = (svc: RunningService) => heldPartitions(svc, 'votes');

  // One thread per partition, so both pods get work; a comment per thread.
  const threads: string[] = [];
  for (let i = 0; threads.length < PARTITIONS; i++) {
    const t = `rs-${run}-t${i}`;
    if (!threads.some((x) => partitionForKey(x, PARTITIONS) === partitionForKey(t, PARTITIONS)))
      threads.push(t);
  }
  const comment = (t: string) => `c-${t}`;
  const at = () => new Date().toISOString();
  let seq = 0;
  const event = (t: string, body: Record<string, unknown>): OutRecord => {
    const value = {
      eventId: `rs-${run}-${seq++}`,
      threadId: t,
      forumId: 'default',
      commentId: comment(t),
      acceptedAt: at(),
      ...body,
    };
    if (!decodeEnrichedEvent(Buffer.from(JSON.stringify(value))).ok)
      throw new Error(`bad test event ${JSON.stringify(value)}`);
    return { topic: TOPICS.commentsEnriched, key: t, value: JSON.stringify(value) };
  };
  /** The latest vote of each voter per thread: what every tally must come to. */
  const expected = new Map<string, Map<string, 1 | -1>>();
  const votes = (round: number, voters: number, from = 0) => {
    const out: OutRecord[] = [];
    for (const t of threads) {
      const mine = expected.get(t) ?? new Map<string, 1 | -1>();
      expected.set(t, mine);
      for (let v = from; v < voters; v++) {
        // Voters change their minds from round to round; some vote again the same way.
        const value: 1 | -1 = (v + round) % 3 === 0 ? -1 : 1;
        mine.set(`u${v}`, value);
        out.push(event(t, { type: 'comment.voted', userId: `u${v}`, value }));
      }
    }
    return out;
  };

  it('two pods each hold their partitions; one killed, the other takes over with exact tallies', async () => {
    const group = `e2e-route-stores-${run}`;
    const env = { ROUTE_GROUP_ID: group, ROUTE_VOTE_WINDOW_MS: '50' };
    const a = await startService('route', env);
    services.push(a);
    const b = await startService('route', env);
    services.push(b);

    await producer.send(
      threads.map((t) =>
        event(t, {
          type: 'comment.created',
          author: { id: 'author', name: 'Author' },
          html: '<p>hi</p>',
          mentions: [],
          moderation: 'open',
          spam: { score: 0, reasons: [] },
        }),
      ),
    );
    // A vote for a comment route never saw created is dead-lettered, not counted.
    await producer.send([
      {
        ...event(threads[0]!, { type: 'comment.voted', userId: 'x', value: 1 }),
        value: JSON.stringify({
          eventId: `rs-${run}-ghost`,
          threadId: threads[0],
          forumId: 'default',
          commentId: `ghost-${run}`,
          acceptedAt: at(),
          type: 'comment.voted',
          userId: 'x',
          value: 1,
        }),
      },
    ]);
    await producer.send(votes(0, 20));

    // Both pods hold partitions, never the same one, together all of them.
    let heldA: number[] = [];
    let heldB: number[] = [];
    await until('both pods to hold their partitions', async () => {
      [heldA, heldB] = await Promise.all([heldBy(a), heldBy(b)]);
      return heldA.length > 0 && heldB.length > 0 && heldA.length + heldB.length === PARTITIONS;
    });
    expect(heldA.filter((p) => heldB.includes(p))).toEqual([]);
    expect([...heldA, ...heldB].sort((x, y) => x - y)).toEqual([...Array(PARTITIONS).keys()]);

    // More votes, and A killed while they are handled: its last commits and checkpoints are lost.
    const sending = producer.send(votes(1, 20));
    await new Promise((r) => setTimeout(r, 150));
    await a.stop('SIGKILL');
    await sending;
    await producer.send(votes(2, 20));
    await until('B to hold every partition', async () => (await heldBy(b)).length === PARTITIONS);

    // One last vote per comment from a new voter: its score update carries the full total.
    await producer.send(votes(3, 21, 20));
    const lastScore = new Map<string, { up: number; down: number; score: number }>();
    await until(
      'final score updates for every comment',
      async () => {
        lastScore.clear();
        const log = await readLog({
          kafka,
          topic: TOPICS.deliveries,
          groupId: `e2e-rs-read-${randomUUID()}`,
          logger,
        });
        for (const r of log) {
          const frame = JSON.parse(String(r.value)) as {
            event?: { type: string; id: string; up: number; down: number; score: number };
          };
          if (frame.event?.type === 'comment.score' && frame.event.id.startsWith(`c-rs-${run}`))
            lastScore.set(frame.event.id, frame.event);
        }
        return threads.every(
          (t) =>
            lastScore.get(comment(t))?.up === [...expected.get(t)!.values()].filter((v) => v === 1).length,
        );
      },
      60_000,
    ).catch(() => undefined);
    for (const t of threads) {
      const want = [...expected.get(t)!.values()];
      const up = want.filter((v) => v === 1).length;
      expect(lastScore.get(comment(t))).toMatchObject({
        up,
        down: want.length - up,
        score: up - (want.length - up),
      });
    }
    const dlq = await readLog({ kafka, topic: TOPICS.dlq, groupId: `e2e-rs-dlq-${randomUUID()}`, logger });
    const ghosts = dlq.filter((r) => String(r.value).includes(`ghost-${run}`));
    // Dead-lettered, maybe twice: a record after the killed pod's last commit is handled again
    // by the survivor (at least once), its dead-letter copy with it.
    expect(ghosts.length).toBeGreaterThanOrEqual(1);
    expect(new Set(ghosts.map((r) => r.headers[DLQ_HEADERS.code]))).toEqual(new Set(['unknown_comment']));
  });
});
