import { formatSource, type DlqEntry } from './dlq-entry';

const COLUMNS = ['ID', 'DEAD-LETTERED AT', 'STAGE', 'CODE', 'SOURCE', 'KEY', 'REASON'] as const;

/** Control characters (a key is arbitrary bytes) would garble a terminal. */
const printable = (s: string, max: number) => {
  const clean = s.replace(/[\u0000-\u001f\u007f-\u009f]/g, '\u00b7');
  return clean.length > max ? `${clean.slice(0, max - 1)}\u2026` : clean;
};

/** A table for a terminal: one line per entry; reasons cut at `reasonWidth` characters. */
export function formatTable(entries: DlqEntry[], reasonWidth = 80): string {
  const rows = entries.map((e) => [
    e.id,
    e.at,
    e.stage,
    e.code,
    formatSource(e.source),
    printable(e.key, 40),
    printable(e.reason, reasonWidth) + (e.replayedFrom ? ` (replay of ${e.replayedFrom})` : ''),
  ]);
  const widths = COLUMNS.map((c, i) => Math.max(c.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [line(COLUMNS), ...rows.map(line)].join('\n');
}

/** One JSON object per line, for scripts (`jq`): everything but the value bytes. */
export function formatJsonLines(entries: DlqEntry[]): string {
  return entries
    .map((e) =>
      JSON.stringify({
        id: e.id,
        partition: e.partition,
        offset: e.offset,
        at: e.at,
        stage: e.stage,
        code: e.code,
        reason: e.reason,
        source: e.source ?? null,
        key: e.key,
        eventId: e.eventId ?? null,
        valueBytes: e.valueBytes,
        replayedFrom: e.replayedFrom ?? null,
      }),
    )
    .join('\n');
}

/** What the summary line says about the filters applied. */
export function describeFilters(opts: { since?: number; stage?: string; code?: string }): string {
  const parts: string[] = [];
  if (opts.since !== undefined) parts.push(`since ${new Date(opts.since).toISOString()}`);
  if (opts.stage !== undefined) parts.push(`stage ${opts.stage}`);
  if (opts.code !== undefined) parts.push(`code ${opts.code}`);
  return parts.length ? ` (${parts.join(', ')})` : '';
}
