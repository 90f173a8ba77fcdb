import { TOPICS } from '@threadcast/contracts';
import { createKafka, setGroupOffsets, topicEndOffsets } from '@threadcast/kafka';
import { createLogger } from '@threadcast/runtime';
import {
  createFigures,
  expectDelivered,
  sleep,
  startTraffic,
  waitUntil,
  watch,
  type Traffic,
  type Watcher,
} from './chaos-kit';
import { brokers, restartService, startPipeline, type ServiceName } from './services';
import { postJson } from './ws-client';

// Issue 7: SIGKILL a stage while comments flow at a steady rate, start it again, and compare what
// ingest acknowledged with what every libs/client subscriber was shown.
describe('chaos: a stage killed mid-stream', () => {
  let p: Awaited<ReturnType<typeof startPipeline>>;
  const run = Math.random().toString(36).slice(2, 8);
  const figures = createFigures('stage kills');
  const watchers: Watcher[] = [];
  let traffic: Traffic | undefined;

  beforeAll(async () => {
    // Tracing off: no collector here, and each stop would wait for its flush.
    p = await startPipeline({ all: { OTEL_SDK_DISABLED: 'true' } });
  });
  afterAll(async () => {
    await traffic?.stop();
    for (const w of watchers) w.close();
    await p?.stop();
    figures.print();
  });

  /**
   * Three threads at 4 comments/s each, two sockets on every thread. Once deliveries flow,
   * `fault` does its damage; traffic goes on until 24 more comments were acknowledged after it,
   * then everything acknowledged must reach every socket once, in order.
   */
  async function scenario(name: string, fault: () => Promise<void>) {
    const threads = [1, 2, 3].map((i) => `t-${name}-${i}-${run}`);
    const channels = threads.map((t) => `thread:${t}`);
    const mine = [watch(p.gatewayUrl, channels), watch(p.gatewayUrl, channels)];
    watchers.push(...mine);
    await Promise.all(mine.map((w) => w.subscribed()));
    traffic = startTraffic({
      ingestUrl: p.ingestUrl,
      threads,
      perSecond: 4,
      author: (thread, n) => `a${n}-${thread}`,
    });
    await traffic.waitForAcks(24);
    await waitUntil('first deliveries', () => mine[0]!.seen.get(channels[0]!)!.length >= 3);
    await fault();
    await traffic.waitForAcks(24);
    await traffic.stop();
    const delivered = await expectDelivered(traffic, mine);
    const refused = traffic.refused();
    const result = { faults: 1, ...delivered, refusedAnswers: refused };
    console.log(`chaos ${name}: ${JSON.stringify(result)}`);
    figures.add(result);
    traffic = undefined;
    for (const w of mine) w.close();
    return { delivered, refused };
  }

  const killAndRestart = (name: ServiceName) => async () => {
    expect(await p[name].stop('SIGKILL')).toBeNull();
    p[name] = await restartService(p[name]);
  };

  it('SIGKILL enrich, restart it: every acknowledged comment reaches every socket once, in order', async () => {
    await scenario('enrich', killAndRestart('enrich'));
  });

  it('SIGKILL route while votes flow too, restart it: comments complete, vote totals counted once', async () => {
    const thread = `t-route-votes-${run}`;
    const voteWatcher = watch(p.gatewayUrl, [`thread:${thread}`]);
    watchers.push(voteWatcher);
    await voteWatcher.subscribed();
    const parent = await postJson(`${p.ingestUrl}/v1/threads/${thread}/comments`, {
      author: { id: `voted-${run}` },
      body: 'vote on me',
    });
    expect(parent.status).toBe(202);
    const voteUrl = `${p.ingestUrl}/v1/threads/${thread}/comments/${parent.body.id}/votes`;
    // 30 voters vote (20 up, 10 down) over the kill, each vote sent twice, as a retrying client
    // would; then one more up vote once route is back, whose score event must carry the totals.
    let votes = 0;
    const voting = (async () => {
      for (let i = 0; i < 30; i++) {
        for (let twice = 0; twice < 2; twice++) {
          const r = await postJson(voteUrl, { userId: `voter${i}-${run}`, value: i % 3 === 0 ? -1 : 1 });
          expect(r.status).toBe(202);
          votes++;
        }
        await sleep(150);
      }
    })();
    await scenario('route', async () => {
      await waitUntil('votes under way', () => votes >= 10);
      await killAndRestart('route')();
    });
    await voting;
    expect((await postJson(voteUrl, { userId: `late-${run}`, value: 1 })).status).toBe(202);
    const final = (e: { type: string; event: unknown }) =>
      e.type === 'comment.score' && (e.event as { up: number }).up === 21;
    await waitUntil('the final score', () => voteWatcher.seen.get(`thread:${thread}`)!.some(final));
    const scores = voteWatcher.seen
      .get(`thread:${thread}`)!
      .filter((e) => e.type === 'comment.score')
      .map((e) => e.event as unknown as { score: number; up: number; down: number });
    expect(scores.at(-1)).toEqual(expect.objectContaining({ score: 11, up: 21, down: 10 }));
    // No update ever counted a vote twice, before or after the restart.
    for (const s of scores) {
      expect(s.up).toBeLessThanOrEqual(21);
      expect(s.down).toBeLessThanOrEqual(10);
    }
    console.log(
      `chaos route votes: ${JSON.stringify({ votesSent: votes + 1, scoreEvents: scores.length, final: scores.at(-1) })}`,
    );
  });

  it('SIGKILL ingest, restart it: requests in flight may fail, nothing acknowledged is lost', async () => {
    const { delivered, refused } = await scenario('ingest', async () => {
      expect(await p.ingest.stop('SIGKILL')).toBeNull();
      // Down for a moment: requests meanwhile are refused.
      await sleep(1000);
      p.ingest = await restartService(p.ingest);
    });
    // 24 acknowledged before the kill and 24 by the restarted ingest, all delivered.
    expect(delivered.acknowledged).toBeGreaterThanOrEqual(48);
    // The outage was real: requests got no answer (or a 5xx) while ingest was away.
    expect(Object.values(refused).reduce((a, b) => a + b, 0)).toBeGreaterThan(0);
  });

  it('a stage that reprocesses what it already did changes nothing downstream: same event ids, votes counted once', async () => {
    const kafka = createKafka(
      { KAFKA_BROKERS: brokers().split(','), KAFKA_SSL: false, KAFKA_SASL_MECHANISM: 'none' },
      createLogger({ service: 'e2e', level: 'silent' }),
      'e2e-chaos',
    );
    const thread = `t-replay-${run}`;
    const channel = `thread:${thread}`;
    const w = watch(p.gatewayUrl, [channel]);
    watchers.push(w);
    await w.subscribed();
    // Where both stages' inputs end now: rewinding the groups to here makes them redo all below.
    const from = {
      comments: await topicEndOffsets(kafka, TOPICS.comments),
      enriched: await topicEndOffsets(kafka, TOPICS.commentsEnriched),
    };
    const post = (path: string, body: unknown) =>
      postJson(`${p.ingestUrl}/v1/threads/${thread}${path}`, body);
    const ids: string[] = [];
    for (let i = 0; i < 20; i++) {
      const r = await post('/comments', { author: { id: `r${i}-${run}` }, body: `replayed ${i}` });
      expect(r.status).toBe(202);
      ids.push(r.body.id);
    }
    // 15 voters; the first 5 change their minds (up, then down): 10 up, 5 down in the end.
    const votes = Array.from({ length: 15 }, (_, i) => ({ userId: `rv${i}-${run}`, value: 1 }));
    votes.push(...votes.slice(0, 5).map((v) => ({ ...v, value: -1 })));
    for (const v of votes) expect((await post(`/comments/${ids[0]}/votes`, v)).status).toBe(202);
    const created = () => w.seen.get(channel)!.filter((e) => e.type === 'comment.created');
    const scores = () =>
      w.seen
        .get(channel)!
        .filter((e) => e.type === 'comment.score')
        .map((e) => e.event as unknown as { score: number; up: number; down: number });
    await waitUntil('the comments and the final score', () => {
      const last = scores().at(-1);
      return created().length === 20 && last?.up === 10 && last.down === 5;
    });
    const wireBefore = w.wire.get(channel)!.length;
    const scoresBefore = scores().length;

    // Both stages stop (SIGTERM: they leave their groups), are set back, and start again.
    expect(await Promise.all([p.enrich.stop(), p.route.stop()])).toEqual([0, 0]);
    await Promise.all([
      setGroupOffsets(kafka, { groupId: p.groups.enrich, topic: TOPICS.comments, partitions: from.comments }),
      setGroupOffsets(kafka, {
        groupId: p.groups.route,
        topic: TOPICS.commentsEnriched,
        partitions: from.enriched,
      }),
    ]);
    [p.enrich, p.route] = await Promise.all([restartService(p.enrich), restartService(p.route)]);

    // route redoes its input, then enrich's second output: every comment comes twice more.
    const eventIds = created().map((e) => e.eventId);
    const copies = () => {
      const wire = w.wire.get(channel)!;
      return Math.min(...eventIds.map((id) => wire.filter((x) => x === id).length));
    };
    await waitUntil('every comment re-delivered twice', () => copies() >= 3, 60_000);
    // A new vote after the replay: its score event names the totals route holds now.
    expect((await post(`/comments/${ids[0]}/votes`, { userId: `rv-late-${run}`, value: 1 })).status).toBe(
      202,
    );
    await waitUntil('the score after the replay', () => scores().at(-1)?.up === 11);

    // The application saw each comment once, with the ids ingest gave it, in posting order.
    expect(created().map((e) => e.id)).toEqual(ids);
    const shown = w.seen.get(channel)!;
    expect(new Set(shown.map((e) => e.eventId)).size).toBe(shown.length);
    // Replayed votes replaced themselves: no update ever counted more voters than voted, and every
    // update after the replay carries the true totals (a counter of increments would be at 30+).
    for (const s of scores()) expect(s.up + s.down).toBeLessThanOrEqual(16);
    for (const s of scores().slice(scoresBefore)) expect([s.up, s.down]).toEqual([s.up === 11 ? 11 : 10, 5]);
    expect(scores().at(-1)).toEqual(expect.objectContaining({ score: 6, up: 11, down: 5 }));
    const result = {
      faults: 1,
      reprocessedStages: 2,
      acknowledged: ids.length,
      expected: ids.length,
      delivered: created().length,
      wireDuplicates: w.wire.get(channel)!.length - wireBefore,
      duplicatesShown: 0,
    };
    console.log(`chaos replay: ${JSON.stringify(result)}`);
    figures.add(result);
  });
});
