/**
 * state: what the stages' state costs as history grows. Seeds history straight into the state
 * topics (users, threads, enrich.comments-changelog, route.votes-changelog: 1,000,000 users, 1,000,000 comments
 * over 100,000 threads, 1,000,000 votes with 100,000 voters on one comment by default), then for
 * enrich and route: time to ready cold and warm, RSS after the restore, changelog bytes per vote
 * (votes sent through both stages, the changelogs' growth read back), and last a short pipeline
 * run (the pipeline scenario) on stages that restored all of it. Each figure is printed against
 * its target (issue 16).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DLQ_HEADERS, HEADERS, TOPICS } from '@threadcast/contracts';
import { topicEndOffsets, type Kafka } from '@threadcast/kafka';
import type { RunContext, ScenarioResult } from '../context';
import type { CpuWindow } from '../cpu-window';
import { startGroupsAtEnd } from '../groups-at-end';
import { benchKafka } from '../kafka-client';
import { machineWarnings } from '../report';
import type { Cell, Table } from '../table';
import { changelogGrowth, endOffsets } from '../state/changelog-bytes';
import { hotComment } from '../state/format-route-votes';
import { history, type HistorySizes } from '../state/history';
import {
  hotVote,
  oneCommentVotes,
  produceVotes,
  spreadVotes,
  waitCommitted,
  type VoteSet,
} from '../state/probe-votes';
import { seedTopic, type Seeded } from '../state/seed';
import { CHANGELOGS, SEEDS, type Topology } from '../state/seeds';
import { startStage, stateDirEnv, type StageName, type StageStart } from '../state/stage-start';
import { STATE_TARGETS, targetRows, type StageFigures } from '../state/targets';
import { runPipeline } from './pipeline';

const STAGES: StageName[] = ['enrich', 'route'];
/**
 * Each stage's partition store, by its metrics' `store` label (apps/enrich/src/tables.ts
 * COMMENTS_STORE, apps/route/src/vote-store.ts VOTES_STORE), and the input it is partitioned like.
 */
const STORES: Record<StageName, { name: string; partitions(t: Topology): number }> = {
  enrich: { name: 'comments', partitions: (t) => t.enrichPartitions },
  route: { name: 'votes', partitions: (t) => t.routePartitions },
};
const MB = 1e6;

export async function runState(ctx: RunContext): Promise<ScenarioResult> {
  const v = ctx.values;
  const sizes: HistorySizes = {
    users: v.users as number,
    comments: v.comments as number,
    threads: v.threads as number,
    votes: v.votes as number,
    hotVoters: v['hot-voters'] as number,
    votersPerComment: v['voters-per-comment'] as number,
  };
  const h = history(ctx.runId, sizes);
  const readyTimeoutMs = (v['ready-timeout'] as number) * 1000;
  const { kafka, logger } = benchKafka(ctx.broker.brokers, 'threadcast-bench-state');
  const warnings: string[] = [];
  const load: Record<string, CpuWindow> = {};

  // 1. History, straight into the topics.
  const topology = await readTopology(kafka);
  const seeded: Seeded[] = [];
  for (const s of SEEDS) {
    ctx.log(`seeding ${s.topic}...`);
    seeded.push(await seedTopic(kafka, s.topic, s.records(h, topology), ctx.log));
  }
  const hot = hotComment(h);

  // 2. Each stage cold (no local state), then warm (a second start, local state kept).
  const groups: Record<StageName, { groupId: string; topic: string; env: Record<string, string> }> = {
    enrich: {
      groupId: `bench-state-enrich-${ctx.runId}`,
      topic: TOPICS.comments,
      env: { ENRICH_GROUP_ID: `bench-state-enrich-${ctx.runId}` },
    },
    route: {
      groupId: `bench-state-route-${ctx.runId}`,
      topic: TOPICS.commentsEnriched,
      env: { ROUTE_GROUP_ID: `bench-state-route-${ctx.runId}` },
    },
  };
  await startGroupsAtEnd(ctx.broker.brokers, Object.values(groups));
  const started: Partial<Record<StageName, { cold: StageStart; warm: StageStart }>> = {};
  const running: StageStart[] = [];
  const stateDirs: string[] = [];
  const votes: {
    set: VoteSet;
    enrich: number;
    route: number;
    routeHeaders: number;
    routeRecords: number;
    dlq: string[];
  }[] = [];
  try {
    for (const stage of STAGES) {
      const dir = mkdtempSync(join(tmpdir(), `bench-state-${stage}-`));
      stateDirs.push(dir);
      const env = { KAFKA_BROKERS: ctx.broker.brokers, ...groups[stage].env, ...stateDirEnv(stage, dir) };
      const start = () =>
        startStage({
          repoRoot: ctx.repoRoot,
          stage,
          env,
          brokerPid: ctx.broker.pid,
          readyTimeoutMs,
          store: { name: STORES[stage].name, partitions: STORES[stage].partitions(topology) },
          log: ctx.log,
        });
      ctx.log(`${stage}: cold start (no local state)...`);
      const cold = await start();
      ctx.log(
        `${stage}: ready in ${cold.readySeconds.toFixed(1)} s, RSS ${(cold.rssAtReady / MB).toFixed(0)} MB`,
      );
      await cold.app.stop();
      ctx.log(`${stage}: warm start (its local state kept)...`);
      const warm = await start();
      running.push(warm);
      ctx.log(
        `${stage}: ready in ${warm.readySeconds.toFixed(1)} s, RSS ${(warm.rssAtReady / MB).toFixed(0)} MB`,
      );
      started[stage] = { cold, warm };
      load[`${stage} cold start`] = cold.load;
      load[`${stage} warm start`] = warm.load;
      warnings.push(...machineWarnings(`${stage} cold start`, cold.load));
      warnings.push(...machineWarnings(`${stage} warm start`, warm.load));
    }

    // 3. Votes through both (warm) stages; what each changelog grew by.
    const sets = [
      spreadVotes(h, v['probe-votes'] as number),
      oneCommentVotes(h, v['probe-votes'] as number),
      ...(h.sizes.hotVoters > 0 ? [hotVote(h, hot.voters)] : []),
    ];
    for (const set of sets) {
      ctx.log(`votes: ${set.label}...`);
      const topics = [...CHANGELOGS.enrich, ...CHANGELOGS.route, TOPICS.dlq];
      const before = await endOffsets(kafka, topics);
      await produceVotes(kafka, set);
      await waitCommitted(kafka, groups.enrich.groupId, groups.enrich.topic);
      await waitCommitted(kafka, groups.route.groupId, groups.route.topic);
      const after = await endOffsets(kafka, topics);
      const only = (names: readonly string[]) => new Map([...before].filter(([t]) => names.includes(t)));
      const prefix = `bench-state-read-${ctx.runId}-${votes.length}`;
      const enrich = await changelogGrowth(kafka, logger, `${prefix}-e`, only(CHANGELOGS.enrich), after);
      const route = await changelogGrowth(kafka, logger, `${prefix}-r`, only(CHANGELOGS.route), after);
      const dlq = await changelogGrowth(kafka, logger, `${prefix}-d`, only([TOPICS.dlq]), after);
      const ours = new Set(set.records.map((r) => r.headers?.[HEADERS.eventId]));
      votes.push({
        set,
        enrich: enrich.keyValueBytes + enrich.headerBytes,
        route: route.keyValueBytes + route.headerBytes,
        routeHeaders: route.headerBytes,
        routeRecords: route.records,
        // Dead-lettered votes of this set, by code (the DLQ copy keeps the original headers).
        dlq: dlq.written
          .filter((r) => ours.has(r.headers[HEADERS.eventId] ?? eventIdOf(r.value)))
          .map((r) => r.headers[DLQ_HEADERS.code] ?? '?'),
      });
    }
  } finally {
    await Promise.all(running.map((s) => s.app.stop()));
    for (const d of stateDirs) rmSync(d, { recursive: true, force: true });
  }

  // 4. The pipeline right after: four fresh services restoring all of it, a short measured run.
  ctx.log('pipeline: a short run on stages that restore the seeded history...');
  const pipeline = await runPipeline({
    ...ctx,
    values: {
      ...v,
      threads: Math.min(100, v.sockets as number),
      concurrency: 200,
    },
  });

  const starts = started as Record<StageName, { cold: StageStart; warm: StageStart }>;
  const perVote = (n: number, set: VoteSet) => Math.round((n / set.records.length) * 10) / 10;
  const spread = votes[0]!;
  const figures: Record<StageName, StageFigures> = {
    enrich: {
      rssMb: maxRss(starts.enrich),
      coldSeconds: starts.enrich.cold.readySeconds,
      warmSeconds: starts.enrich.warm.readySeconds,
      changelogBytesPerVote: perVote(spread.enrich, spread.set),
    },
    route: {
      rssMb: maxRss(starts.route),
      coldSeconds: starts.route.cold.readySeconds,
      warmSeconds: starts.route.warm.readySeconds,
      changelogBytesPerVote: perVote(spread.route, spread.set),
    },
  };
  const mb = (b: number) => Math.round(b / 1e5) / 10;
  const s1 = (x: number) => Math.round(x * 10) / 10;
  const seedTable: Table = {
    title:
      `state: history seeded into the state topics (${sizes.users.toLocaleString('en-US')} users, ` +
      `${sizes.comments.toLocaleString('en-US')} comments over ${sizes.threads.toLocaleString('en-US')} threads, ` +
      `${sizes.votes.toLocaleString('en-US')} votes, ${sizes.hotVoters.toLocaleString('en-US')} of them on one comment)`,
    columns: ['topic', 'records', 'bytes (key + value)', 'seconds'],
    rows: [
      ...seeded.map((s): Cell[] => [s.topic, s.records, s.bytes, s1(s.seconds)]),
      ['hot comment: voters (all seeded, no cap)', hot.voters, null, null],
    ],
  };
  const startRow = (stage: StageName, kind: 'cold' | 'warm'): Cell[] => {
    const s = starts[stage][kind];
    return [
      stage,
      kind,
      s1(s.readySeconds),
      mb(s.rssAtReady),
      mb(s.rssFileAtReady),
      mb(s.peakRss),
      mb(s.rssAfterGc),
      mb(s.heapAfterGc),
      s1(s.cpuSeconds),
      s.restoredRecords,
      Object.entries(s.restoredByStore)
        .map(([store, n]) => `${store} ${n}`)
        .join(', '),
    ];
  };
  const startTable: Table = {
    title:
      'starts: spawn -> /readyz 200 (restore included; polled every 200 ms). cold = an empty state ' +
      'directory, warm = a second start with it kept (its LMDB stores and checkpoints: enrich its ' +
      'users and threads tables and comments store, route its votes store); ready = /readyz 200 and ' +
      'the partition store holding every partition, none restoring',
    columns: [
      'stage',
      'start',
      'ready s',
      'RSS MB at ready',
      'of which mapped files',
      'peak RSS MB',
      'RSS MB after GC',
      'heap MB after GC',
      'CPU s',
      'changelog records restored',
      'by store',
    ],
    rows: STAGES.flatMap((s) => [startRow(s, 'cold'), startRow(s, 'warm')]),
  };
  const voteTable: Table = {
    title:
      'changelog bytes per vote (votes produced to comments, through warm enrich and route; records read back: key + value + headers)',
    columns: ['votes', 'enrich B/vote', 'route B/vote', 'of which headers', 'route records', 'dead-lettered'],
    rows: votes.map((x) => [
      x.set.label,
      perVote(x.enrich, x.set),
      perVote(x.route, x.set),
      perVote(x.routeHeaders, x.set),
      x.routeRecords,
      x.dlq.length === 0 ? 'none' : summarize(x.dlq),
    ]),
  };
  const targets: Table = {
    title: 'targets (issue 16), this machine',
    columns: ['stage', 'figure', 'value', 'target', 'met'],
    rows: STAGES.flatMap((s) => targetRows(s, figures[s])),
  };
  for (const [k, w] of Object.entries(pipeline.load)) load[`pipeline: ${k}`] = w;
  return {
    tables: [seedTable, startTable, voteTable, targets, ...pipeline.tables],
    results: {
      seeded,
      hotComment: hot,
      starts: Object.fromEntries(
        STAGES.map((s) => [
          s,
          Object.fromEntries(
            (['cold', 'warm'] as const).map((k) => {
              const { app: _app, load: _load, ...rest } = starts[s][k];
              return [k, rest];
            }),
          ),
        ]),
      ),
      votes: votes.map((x) => ({
        label: x.set.label,
        votes: x.set.records.length,
        enrichBytes: x.enrich,
        routeBytes: x.route,
        routeHeaderBytes: x.routeHeaders,
        routeRecords: x.routeRecords,
        deadLettered: x.dlq,
      })),
      figures,
      targets: STATE_TARGETS,
      pipeline: pipeline.results,
    },
    load,
    warnings: [...warnings, ...pipeline.warnings.map((w) => `pipeline: ${w}`)],
    lost: pipeline.lost,
  };
}

/** RSS after restore: the larger of the two starts (a warm start restores almost nothing). */
function maxRss(s: { cold: StageStart; warm: StageStart }): number {
  return Math.max(s.cold.rssAtReady, s.warm.rssAtReady) / MB;
}

/** The partition counts the formats need, from the topics' metadata (provisioned by apps/topics). */
async function readTopology(kafka: Kafka): Promise<Topology> {
  const copartitioned = async (input: string, changelog: string) => {
    const n = (await topicEndOffsets(kafka, input)).length;
    const m = (await topicEndOffsets(kafka, changelog)).length;
    if (n === 0 || m !== n) {
      throw new Error(
        `${changelog} has ${m} partitions, ${input} ${n}: its stage co-partitions them, so they must be equal`,
      );
    }
    return n;
  };
  return {
    enrichPartitions: await copartitioned(TOPICS.comments, TOPICS.enrichCommentsChangelog),
    routePartitions: await copartitioned(TOPICS.commentsEnriched, TOPICS.routeVotesChangelog),
  };
}

function summarize(codes: string[]): string {
  const n = new Map<string, number>();
  for (const c of codes) n.set(c, (n.get(c) ?? 0) + 1);
  return [...n].map(([c, k]) => `${k} ${c}`).join(', ');
}

function eventIdOf(value: Buffer | null): string | undefined {
  try {
    return (JSON.parse(value?.toString('utf8') ?? 'null') as { eventId?: string } | null)?.eventId;
  } catch {
    return undefined;
  }
}
