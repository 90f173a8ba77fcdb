// Types for tracing-plan.mjs, for its unit tests (tools/trace/src/tracing-plan.spec.ts).

export type TracingMode = 'off' | 'external' | 'cached' | 'building';

export interface TracingPlan {
  mode: TracingMode;
  /** Run the local Jaeger (building it first if needed). */
  startJaeger: boolean;
  /** Wait for it before the services start. */
  waitForJaeger: boolean;
  /** Build it at the lowest CPU priority (a build in the background). */
  lowPriorityBuild: boolean;
  /** What the start output says now. */
  line: string;
}

export function hhmm(date: Date): string;
export function tracingPlan(input: {
  argv: readonly string[];
  env: Record<string, string | undefined>;
  jaegerBuilt: boolean;
  jaegerVersion: string;
}): TracingPlan;
export function tracingReadyLine(input: { now: Date; builtInMs: number }): string;
export function tracingFailedLine(message: string): string;
