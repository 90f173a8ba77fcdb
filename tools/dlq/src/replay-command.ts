import { partitionForKey, type OutRecord } from '@threadcast/kafka';
import type { Command } from './cli-args';
import type { DlqDeps } from './dlq-deps';
import { formatSource, type DlqEntry } from './dlq-entry';
import { replayRecord } from './replay-record';

export interface ReplayResult {
  replayed: DlqEntry[];
  /** Selected but not replayable, with why. */
  refused: { entry: DlqEntry; why: string }[];
}

/**
 * `replay`: re-drives the selected DLQ records to their source topics, in DLQ order, as one
 * acknowledged batch, and says what went where. The DLQ keeps its records (it is a log); the
 * replay is marked on the new records (`dlq-replayed-from`). Replaying twice is harmless
 * downstream (event ids are stable, so clients drop the second copy) but is not needed.
 */
export async function replayCommand(
  deps: DlqDeps & { partitionsOf(topic: string): Promise<number> },
  cmd: Extract<Command, { command: 'replay' }>,
): Promise<ReplayResult> {
  const selected = (await deps.read(cmd.since)).filter(cmd.select);
  const refused: ReplayResult['refused'] = [];
  const records: { entry: DlqEntry; record: OutRecord }[] = [];
  for (const entry of selected) {
    try {
      records.push({ entry, record: replayRecord(entry) });
    } catch (e) {
      refused.push({ entry, why: (e as Error).message });
    }
  }
  for (const { entry, why } of refused) deps.out(`not replayed: ${entry.id}: ${why}`);
  if (records.length === 0) {
    deps.out(
      selected.length === 0 ? 'nothing matches the selector: no record re-driven' : 'no record re-driven',
    );
    return { replayed: [], refused };
  }
  const verb = cmd.dryRun ? 'would re-drive' : 're-drove';
  if (!cmd.dryRun) await deps.send(records.map((r) => r.record));
  deps.out(`${verb} ${records.length} ${records.length === 1 ? 'record' : 'records'}:`);
  for (const { entry, record } of records) {
    const partitions = await deps.partitionsOf(record.topic);
    const partition = partitionForKey(record.key, partitions);
    deps.out(
      `  dlq ${entry.id} -> ${record.topic}/${partition}  key ${entry.key}  ` +
        `(${entry.stage}: ${entry.code}, first read at ${formatSource(entry.source)}` +
        `${entry.eventId ? `, event ${entry.eventId}` : ''})`,
    );
  }
  return { replayed: records.map((r) => r.entry), refused };
}
