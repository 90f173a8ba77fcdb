/**
 * What the comments of a measured window cost the pipeline, from the rig's window: latency hop
 * by hop, Kafka requests by process and API, and CPU per comment, with what could not be had.
 */
import type { CpuWindow } from './cpu-window';
import { cpuPerComment, type CpuPerComment } from './cpu-per-comment';
import type { Histogram } from './histogram';
import { hopLatency, hopLatencyWarnings, type HopLatency } from './hop-latency';
import { kafkaRequests, type KafkaRequests } from './kafka-requests';
import type { MetricsWindow } from './metrics-window';
import { SERVICES } from './pipeline-rig';

export interface PipelineCosts {
  hops: HopLatency;
  kafka: KafkaRequests;
  cpu: CpuPerComment;
}

export function pipelineCosts(
  window: { cpu: CpuWindow; metrics: MetricsWindow },
  /** Comments accepted in the window. */
  comments: number,
  /** The receivers' accept -> receipt over the window. */
  e2e: Histogram,
): { costs: PipelineCosts; warnings: string[] } {
  const hops = hopLatency(window.metrics.deltas.gateway, e2e);
  return {
    costs: {
      hops,
      kafka: kafkaRequests(window.metrics.deltas, SERVICES, window.cpu.wall, comments),
      cpu: cpuPerComment(window.cpu, SERVICES, comments),
    },
    warnings: [
      ...window.metrics.problems.map((p) => `no service counters: ${p}`),
      ...hopLatencyWarnings(hops),
    ],
  };
}
