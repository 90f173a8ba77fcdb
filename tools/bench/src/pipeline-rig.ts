/**
 * What the pipeline and capacity scenarios run on: the four services on the broker, as separate
 * processes with fresh consumer groups (as the e2e suite runs them), S sockets subscribed
 * through the gateway over T threads, and the comment poster, with measurement windows over
 * all of it (kernel CPU per process, and the services' own counters).
 */
import { join } from 'node:path';
import { TOPICS } from '@threadcast/contracts';
import type { RunContext } from './context';
import { BROKER } from './cpu-per-comment';
import { startCpuWindow, type CpuWindow } from './cpu-window';
import { startFleet, type Fleet, type FleetOpen } from './fleet';
import { startGroupsAtEnd } from './groups-at-end';
import { startWorker, type Worker } from './ipc';
import type { ClientImpl } from './loadgen/client-socket';
import type { PostArgs, PostResult } from './loadgen/poster-protocol';
import { startMetricsWindow, type MetricsWindow } from './metrics-window';
import { baseEnv, startApp, type AppName, type RunningApp } from './services';

export const SERVICES: AppName[] = ['ingest', 'enrich', 'route', 'gateway'];

export interface PipelineRig {
  readonly apps: RunningApp[];
  app(name: AppName): RunningApp;
  readonly fleet: Fleet;
  readonly poster: Worker;
  readonly threads: string[];
  /** assign[i]: the thread index of socket i. */
  readonly assign: number[];
  readonly opened: FleetOpen;
  /** Posts `rate` comments/s for `seconds`, round-robin over the threads. */
  post(rate: number, seconds: number, notifyAt?: number): Promise<PostResult>;
  /** Deliveries that accepted posts (per thread, their sequence numbers) make to the sockets. */
  deliveriesOf(acceptedSeqs: number[][]): number;
  /** Starts a measured window over every process of the rig, the broker included. */
  startWindow(): Promise<{ end(): Promise<{ cpu: CpuWindow; metrics: MetricsWindow }> }>;
  close(): Promise<void>;
}

export async function startPipelineRig(
  ctx: RunContext,
  opts: { threads: number; sockets: number; authors: number; warnings: string[] },
): Promise<PipelineRig> {
  const v = ctx.values;
  const threads = Array.from({ length: opts.threads }, (_, t) => `bench-${ctx.runId}-${t}`);
  const assign = Array.from({ length: opts.sockets }, (_, i) => i % opts.threads);
  const apps = await startServices(ctx, opts.warnings);
  const app = (n: AppName) => apps.find((a) => a.name === n)!;
  const ingestUrl = `http://127.0.0.1:${app('ingest').port}`;
  const fleet = startFleet(ctx.distDir, v.clients as number, v['client-impl'] as ClientImpl);
  const poster = startWorker('poster', join(ctx.distDir, 'poster.js'), baseEnv());
  const close = async () => {
    await fleet.close().catch(() => {});
    await fleet.stop();
    await poster.stop();
    // Gateway first (sockets), then the stages, as a rollout would.
    await app('gateway').stop();
    await Promise.all(apps.filter((a) => a.name !== 'gateway').map((a) => a.stop()));
  };
  try {
    ctx.log(`connecting ${opts.sockets.toLocaleString('en-US')} sockets over ${opts.threads} threads...`);
    const opened = await fleet.open({
      url: `ws://127.0.0.1:${app('gateway').port}/ws`,
      channels: threads.map((t) => `thread:${t}`),
      assign,
      rate: 0,
      concurrency: v.concurrency as number,
      timeoutMs: 60_000,
      acceptTimes: true,
    });
    if (opened.subscribed < opts.sockets) {
      ctx.log(
        `only ${opened.subscribed} of ${opts.sockets} sockets subscribed: ${JSON.stringify(opened.failures)}`,
      );
    }
    await poster.call('setup', { run: ctx.runId });
    return {
      apps,
      app,
      fleet,
      poster,
      threads,
      assign,
      opened,
      post: (rate, seconds, notifyAt) =>
        poster.call<PostResult>('post', {
          url: ingestUrl,
          threads,
          rate,
          seconds,
          authors: opts.authors,
          ...(notifyAt === undefined ? {} : { notifyAt }),
        } satisfies PostArgs),
      deliveriesOf: (seqs) => assign.reduce((a, t) => a + (seqs[t]?.length ?? 0), 0),
      async startWindow() {
        const metrics = await startMetricsWindow(apps);
        const cpu = startCpuWindow([
          ...apps.map((a) => ({ name: a.name, pid: a.pid })),
          { name: BROKER, pid: ctx.broker.pid },
          { name: 'poster', pid: poster.pid },
          ...fleet.workers.map((w) => ({ name: w.name, pid: w.pid })),
        ]);
        return {
          async end() {
            const c = cpu.end();
            return { cpu: c, metrics: await metrics.end() };
          },
        };
      },
      close,
    };
  } catch (e) {
    await close();
    throw e;
  }
}

async function startServices(ctx: RunContext, warnings: string[]): Promise<RunningApp[]> {
  const brokers = ctx.broker.brokers;
  const onRetry = (why: string) => {
    ctx.log(why);
    warnings.push(why);
  };
  ctx.log('starting ingest, enrich, route and gateway...');
  const envOf: Record<string, Record<string, string>> = {
    ingest: {},
    enrich: { ENRICH_GROUP_ID: `bench-enrich-${ctx.runId}` },
    route: { ROUTE_GROUP_ID: `bench-route-${ctx.runId}` },
    gateway: { GATEWAY_DRAIN_MS: '2000' },
  };
  await startGroupsAtEnd(brokers, [
    { groupId: envOf.enrich!.ENRICH_GROUP_ID!, topic: TOPICS.comments },
    { groupId: envOf.route!.ROUTE_GROUP_ID!, topic: TOPICS.commentsEnriched },
  ]);
  const started = await Promise.allSettled(
    SERVICES.map((n) =>
      startApp(
        ctx.repoRoot,
        n,
        { KAFKA_BROKERS: brokers, ...envOf[n] },
        { onRetry, readyTimeoutMs: (ctx.values['ready-timeout'] as number) * 1000 },
      ),
    ),
  );
  const apps = started.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
  const failed = started.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  if (failed) {
    await Promise.all(apps.map((a) => a.stop()));
    throw failed.reason;
  }
  return apps;
}
