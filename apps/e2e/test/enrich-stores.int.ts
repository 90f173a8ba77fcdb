import { randomUUID } from 'node:crypto';
import { commentRecord, DLQ_HEADERS, TOPICS, type CommentEventInput } from '@threadcast/contracts';
import { createKeyedProducer, partitionForKey, readLog, type OutRecord } from '@threadcast/kafka';
import { testKafka } from '@threadcast/test-support';
import { provisionTopics, restartService, startService, type RunningService } from './services';
import { heldPartitions, restoredRecords, until } from './store-pods';

/**
 * Two enrich pods on the real broker, fed straight into comments: each holds only its partitions
 * of the comment index (its metric says so). One is SIGKILLed; the other restores its partitions
 * from the changelog and still knows every comment's author (edits by the author pass, by anyone
 * else are dead-lettered not_author). A restart with its local state reads only what changed.
 */
describe('enrich state stores', () => {
  const { kafka, logger } = testKafka('e2e-enrich-stores');
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

  const heldBy = (svc: RunningService) => heldPartitions(svc, 'comments');
  const restored = restoredRecords;
  const enrichedOfRun = async () => {
    const log = await readLog({
      kafka,
      topic: TOPICS.commentsEnriched,
      groupId: `e2e-es-read-${randomUUID()}`,
      logger,
    });
    return log
      .map((r) => JSON.parse(String(r.value)) as { type: string; commentId: string; editorId?: string })
      .filter((e) => e.commentId.startsWith(`c-es-${run}`));
  };

  // One thread per partition, so both pods get work; a comment per thread by its own author.
  const threads: string[] = [];
  for (let i = 0; threads.length < PARTITIONS; i++) {
    const t = `es-${run}-t${i}`;
    if (!threads.some((x) => partitionForKey(x, PARTITIONS) === partitionForKey(t, PARTITIONS)))
      threads.push(t);
  }
  const comment = (t: string) => `c-${t}`;
  const author = (t: string) => `a-${t}`;
  const rec = (input: CommentEventInput): OutRecord => commentRecord(input);
  const user = (id: string, name: string): OutRecord => ({
    topic: TOPICS.users,
    key: id,
    value: JSON.stringify({ id, name }),
  });

  it('two pods each hold their partitions; one killed, the other takes over the index; a restart reads only the delta', async () => {
    const group = `e2e-enrich-stores-${run}`;
    const a = await startService('enrich', { ENRICH_GROUP_ID: group });
    services.push(a);
    const b = await startService('enrich', { ENRICH_GROUP_ID: group });
    services.push(b);

    await producer.send(
      threads.map((t) =>
        rec({
          type: 'comment.created',
          threadId: t,
          commentId: comment(t),
          author: { id: author(t) },
          body: 'hi',
        }),
      ),
    );
    let heldA: number[] = [];
    let heldB: number[] = [];
    await until('both pods to hold their partitions', async () => {
      [heldA, heldB] = await Promise.all([heldBy(a), heldBy(b)]);
      return heldA.length > 0 && heldB.length > 0 && heldA.length + heldB.length === PARTITIONS;
    });
    expect(heldA.filter((p) => heldB.includes(p))).toEqual([]);
    expect([...heldA, ...heldB].sort((x, y) => x - y)).toEqual([...Array(PARTITIONS).keys()]);
    // Every comment indexed (enriched) before the kill.
    await until(
      'every creation enriched',
      async () => (await enrichedOfRun()).filter((e) => e.type === 'comment.created').length === PARTITIONS,
    );

    await a.stop('SIGKILL');
    // Edits of comments created before the kill, half of them on A's partitions: by their author
    // and by someone else.
    await producer.send(
      threads.flatMap((t) => [
        rec({
          type: 'comment.edited',
          threadId: t,
          commentId: comment(t),
          editorId: author(t),
          body: 'mine',
        }),
        rec({
          type: 'comment.edited',
          threadId: t,
          commentId: comment(t),
          editorId: 'mallory',
          body: 'not mine',
        }),
      ]),
    );
    await until('B to hold every partition', async () => (await heldBy(b)).length === PARTITIONS);
    await until(
      'every author edit enriched',
      async () => (await enrichedOfRun()).filter((e) => e.type === 'comment.edited').length >= PARTITIONS,
    );
    const edits = (await enrichedOfRun()).filter((e) => e.type === 'comment.edited');
    expect(new Set(edits.map((e) => e.commentId))).toEqual(new Set(threads.map(comment)));
    expect(edits.every((e) => e.editorId !== 'mallory')).toBe(true);
    let refused: string[] = [];
    await until('mallory’s edits dead-lettered', async () => {
      const dlq = await readLog({ kafka, topic: TOPICS.dlq, groupId: `e2e-es-dlq-${randomUUID()}`, logger });
      refused = dlq
        .filter((r) => String(r.value).includes(`c-es-${run}`))
        .map((r) => r.headers[DLQ_HEADERS.code] ?? '');
      return refused.length >= PARTITIONS;
    });
    expect(refused).toEqual(threads.map(() => 'not_author'));

    // Warm restart: B stops (checkpoints), users change meanwhile, B starts on its own state.
    await b.stop('SIGTERM');
    await producer.send([user(`u-${run}-1`, 'One'), user(`u-${run}-2`, 'Two'), user(`u-${run}-1`, 'Uno')]);
    const again = await restartService(b);
    services.push(again);
    await until(
      'the restarted pod to hold every partition',
      async () => (await heldBy(again)).length === PARTITIONS,
    );
    expect(await restored(again, 'users')).toBe(3);
    expect(await restored(again, 'threads')).toBe(0);
    expect(await restored(again, 'comments')).toBe(0);
    // And it still knows every author.
    await producer.send(
      threads.map((t) =>
        rec({ type: 'comment.deleted', threadId: t, commentId: comment(t), deletedBy: author(t) }),
      ),
    );
    await until(
      'every delete enriched',
      async () => (await enrichedOfRun()).filter((e) => e.type === 'comment.deleted').length === PARTITIONS,
    );
  });
});
