import type { Command } from './cli-args';
import type { DlqDeps } from './dlq-deps';
import { describeFilters, formatJsonLines, formatTable } from './format-entries';

/** `list`: the DLQ records matching the filters, as a table or JSON lines. Returns the count. */
export async function listCommand(
  deps: DlqDeps,
  cmd: Extract<Command, { command: 'list' }>,
): Promise<number> {
  const entries = (await deps.read(cmd.since)).filter(
    (e) =>
      (cmd.stage === undefined || e.stage === cmd.stage) && (cmd.code === undefined || e.code === cmd.code),
  );
  if (cmd.json) {
    if (entries.length > 0) deps.out(formatJsonLines(entries));
    return entries.length;
  }
  const noun = entries.length === 1 ? 'record' : 'records';
  deps.out(`comments.dlq: ${entries.length} ${noun}${describeFilters(cmd)}`);
  if (entries.length > 0) deps.out(formatTable(entries));
  return entries.length;
}
