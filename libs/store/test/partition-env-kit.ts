import { openPartitionEnv } from '../src/partition-env';

/** Sets a partition directory's checkpoint, as a test's way to fake what a crash or an operator left. */
export function openPartitionEnvForTest(path: string, checkpoint: number): void {
  const env = openPartitionEnv(path);
  env.setCheckpoint(checkpoint);
  void env.close();
}
