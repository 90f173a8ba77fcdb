import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { DLQ_HEADERS, type EnrichedEvent } from '@threadcast/contracts';
import {
  createKeyedProducer,
  createTopicsAndWait,
  readLog,
  runStage,
  type InRecord,
  type OutRecord,
  type RunningStage,
} from '@threadcast/kafka';
import { createMetricsRegistry } from '@threadcast/runtime';
import { createSweeper, openStateStore, retentionWindowMs, type StateStore } from '@threadcast/store';
import { createCoalescer } from '../src/coalescer';
import { createRouteHandler } from '../src/route-handler';
import type { PendingScore } from '../src/score-delivery';
import { dropComment, readTally, restoreVotes } from '../src/vote-store';
import { testKafka, uid } from '@threadcast/test-support';

const DAY = 86_400_000;

describe('route votes store retention on a real broker', () => {
  const { kafka, logger } = testKafka();
  const admin = kafka.admin();
  const producer = createKeyedProducer(kafka);
  const changelog = uid('it.route-votes-changelog');
  const input = uid('it.comments-enriched');
  const deliveries = uid('it.deliveries');
  const dlq = uid('it.dlq');
  const dirs: string[] = [];
  const stores: StateStore[] = [];
  const stages: RunningStage[] = [];
  const registry = createMetricsRegistry('it');

  const openStore = () => {
    const stateDir = mkdtempSync(join(tmpdir(), 'route-retention-it-'));
    dirs.push(stateDir);
    const store = openStateStore({
      kafka,
      logger,
      registry: createMetricsRegistry('it'),
      stateDir,
      service: 'route',
      name: 'votes',
      changelogTopic: changelog,
      readerGroupId: uid('it-route-votes-reader'),
      restore: restoreVotes,
    });
    stores.push(store);
    return store;
  };
  const coalescer = () =>
    createCoalescer<PendingScore>({
      windowMs: 60_000,
      maxPending: 100,
      build: () => undefined,
      send: async () => undefined,
    });

  // The comments' own times: the old one 40 days before the fake clock's "now".
  const now = Date.parse('2025-03-01T00:00:00Z');
  const iso = (ms: number) => new Date(ms).toISOString();
  const base = { threadId: 't1', forumId: 'f1' };
  const created = (commentId: string, at: number): EnrichedEvent => ({
    ...base,
    eventId: `e-${commentId}`,
    commentId,
    acceptedAt: iso(at),
    type: 'comment.created',
    author: { id: 'alice', name: 'Alice' },
    html: '<p>hi</p>',
    mentions: [],
    moderation: 'open',
    spam: { score: 0, reasons: [] },
  });
  const vote = (commentId: string, userId: string, at: number): EnrichedEvent => ({
    ...base,
    eventId: `v-${commentId}-${userId}`,
    commentId,
    acceptedAt: iso(at),
    type: 'comment.voted',
    userId,
    value: 1,
  });
  const asInput = (event: EnrichedEvent, offset: number): InRecord => ({
    topic: input,
    partition: 0,
    offset: String(offset),
    key: Buffer.from(event.threadId),
    value: Buffer.from(JSON.stringify(event)),
    headers: {},
    timestamp: String(Date.parse(event.acceptedAt)),
  });

  beforeAll(async () => {
    await admin.connect();
    await producer.connect();
    const compact = [{ name: 'cleanup.policy', value: 'compact' }];
    await createTopicsAndWait(admin, {
      topics: [
        { topic: changelog, numPartitions: 1, replicationFactor: 1, configEntries: compact },
        { topic: input, numPartitions: 1, replicationFactor: 1 },
        { topic: deliveries, numPartitions: 1, replicationFactor: 1 },
        { topic: dlq, numPartitions: 1, replicationFactor: 1 },
      ],
    });
  });
  afterAll(async () => {
    for (const s of stages) await s.stop();
    for (const s of stores) await s.close();
    await producer.disconnect();
    await admin.deleteTopics({ topics: [changelog, input, deliveries, dlq] }).catch(() => undefined);
    await admin.disconnect();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  it('tombstones a swept comment: a cold restore does not bring it back, and a vote for it is dead-lettered', async () => {
    // A pod holding partition 0 handles two comments and their votes, by the records' own times.
    const store = openStore();
    await store.assign([0]);
    const windowMs = retentionWindowMs(30);
    let clock = now - 35 * DAY;
    const handler = createRouteHandler({
      route: { maxMentions: 20 },
      votes: store,
      coalescer: coalescer(),
      retention: { windowMs, now: () => clock },
    });
    const events = [
      created('old', now - 40 * DAY),
      vote('old', 'u1', now - 39 * DAY),
      vote('old', 'u2', now - 38 * DAY),
      created('young', now - 10 * DAY),
      vote('young', 'u1', now - 9 * DAY),
    ];
    const out: OutRecord[] = [];
    for (const [i, e] of events.entries()) out.push(...(await handler(asInput(e, i))));
    await producer.send(out.filter((r) => r.topic === changelog || r.changelog));

    // The sweep, at "now": only the comment created more than 30 days ago goes.
    clock = now;
    const sweeper = createSweeper({
      store,
      windowMs,
      drop: dropComment,
      send: (records) => producer.send(records),
      logger,
      registry,
      now: () => clock,
    });
    expect(await sweeper.sweep()).toBe(1);
    expect(await sweeper.sweep()).toBe(0);
    const swept = await registry.getSingleMetric('threadcast_store_swept_total')!.get();
    expect(swept.values).toEqual([expect.objectContaining({ labels: { store: 'votes' }, value: 1 })]);
    expect(store.partition(0).get('c/old')).toBeUndefined();
    await store.checkpoint();
    await store.close();

    // The changelog's last word on every key of the old comment is a tombstone.
    const log = await readLog({ kafka, topic: changelog, groupId: uid('it-read-changelog'), logger });
    const last = new Map<string, Buffer | null>();
    for (const r of log) last.set(String(r.key), r.value);
    const oldKeys = [...last.keys()].filter((k) => k.includes('/old'));
    expect(oldKeys.sort()).toEqual([
      'c/old',
      expect.stringMatching(/^t\/\d{13}\/old$/),
      'v/old/u1',
      'v/old/u2',
    ]);
    for (const k of oldKeys) expect(last.get(k)).toBeNull();

    // A new node: no local state, everything from the changelog.
    const cold = openStore();
    await cold.assign([0]);
    expect(cold.restores()).toEqual([expect.objectContaining({ partition: 0, kind: 'cold' })]);
    const state = cold.partition(0);
    expect([...state.keys('')].filter((k) => k.includes('old'))).toEqual([]);
    expect(readTally(state.local, 'old')).toBeUndefined();
    expect(state.get('c/young')).toBeDefined();
    expect(readTally(state.local, 'young')).toEqual({ up: 1, down: 0 });

    // The stage on the restored store: a vote for the swept comment is dead-lettered, one for
    // the kept comment counts.
    const stage = await runStage({
      kafka,
      producer,
      stage: 'route',
      groupId: uid('it-route'),
      topic: input,
      deadLetterTopic: dlq,
      logger,
      registry: createMetricsRegistry('it'),
      handler: createRouteHandler({
        route: { maxMentions: 20 },
        votes: cold,
        coalescer: coalescer(),
        retention: { windowMs, now: () => clock },
      }),
      onAssigned: (partitions) => cold.assign(partitions),
      maxWaitTimeMs: 100,
    });
    stages.push(stage);
    await producer.send(
      [vote('old', 'u3', now - 36 * DAY), vote('young', 'u3', now - DAY)].map((e) => ({
        topic: input,
        key: e.threadId,
        value: JSON.stringify(e),
      })),
    );
    let dead: InRecord[] = [];
    for (let i = 0; i < 100 && (dead.length === 0 || readTally(state.local, 'young')?.up !== 2); i++) {
      await new Promise((r) => setTimeout(r, 200));
      dead = await readLog({ kafka, topic: dlq, groupId: uid('it-read-dlq'), logger });
    }
    expect(dead).toHaveLength(1);
    expect(dead[0]!.headers[DLQ_HEADERS.code]).toBe('unknown_comment');
    expect(JSON.parse(String(dead[0]!.value))).toMatchObject({ commentId: 'old', userId: 'u3' });
    expect(readTally(state.local, 'young')).toEqual({ up: 2, down: 0 });
  });
});
