/** What every scenario gets from the runner, and what it gives back. */
import type { Broker } from './broker';
import type { CpuWindow } from './cpu-window';
import type { MachineFacts } from './machine';
import type { Values } from './options';
import type { Table } from './table';

export interface RunContext {
  repoRoot: string;
  /** The bundled load generators and baseline server. */
  distDir: string;
  values: Values;
  broker: Broker;
  machine: MachineFacts;
  /** Unique per run: channel and thread names carry it, so runs sharing a broker never mix. */
  runId: string;
  log(msg: string): void;
}

export interface ScenarioResult {
  tables: Table[];
  results: Record<string, unknown>;
  load: Record<string, CpuWindow>;
  warnings: string[];
  lost: number;
}
