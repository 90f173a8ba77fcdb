/** Issue 16's targets for each stage's state on this machine, and the rows that print them. */
import type { Cell } from '../table';

export const STATE_TARGETS = {
  rssMb: 150,
  warmSeconds: 5,
  coldSeconds: 60,
  changelogBytesPerVote: 100,
} as const;

export interface StageFigures {
  /** RSS when ready after a restore, MB: the larger of the cold and the warm start. */
  rssMb: number;
  coldSeconds: number;
  warmSeconds: number;
  changelogBytesPerVote: number;
}

const LABELS: Record<keyof StageFigures, string> = {
  rssMb: 'RSS after restore, MB',
  coldSeconds: 'ready cold (no local state), s',
  warmSeconds: 'ready warm (restart), s',
  changelogBytesPerVote: 'changelog bytes per vote',
};

/** One row per target: the figure, the bar (all are upper bounds), met or not. */
export function targetRows(stage: string, f: StageFigures): Cell[][] {
  return (Object.keys(LABELS) as (keyof StageFigures)[]).map((k) => [
    stage,
    LABELS[k],
    Math.round(f[k] * 10) / 10,
    `<= ${STATE_TARGETS[k]}`,
    f[k] <= STATE_TARGETS[k] ? 'met' : 'NOT MET',
  ]);
}
