import type { TraceView } from './trace-view';
import { formatMs } from './waterfall';

export interface SlowRow {
  traceId: string;
  commentId: string | null;
  threadId: string | null;
  totalMs: number;
  startUs: number;
}

/** The `n` delivered traces with the longest accept -> socket time, slowest first. */
export function rankSlowest(traces: TraceView[], n: number): SlowRow[] {
  const seen = new Set<string>();
  const rows: SlowRow[] = [];
  for (const t of traces) {
    if (t.acceptToSocketMs === null || seen.has(t.traceId)) continue;
    seen.add(t.traceId);
    const { traceId, commentId, threadId, startUs } = t;
    rows.push({ traceId, commentId, threadId, startUs, totalMs: t.acceptToSocketMs });
  }
  return rows.sort((a, b) => b.totalMs - a.totalMs || a.startUs - b.startUs).slice(0, n);
}

export function formatSlowest(rows: SlowRow[]): string {
  const cells = rows.map((r, i) => [
    String(i + 1),
    formatMs(r.totalMs),
    r.commentId ?? '-',
    r.threadId ?? '-',
    r.traceId,
    new Date(Math.floor(r.startUs / 1000)).toISOString(),
  ]);
  const head = ['#', 'total ms', 'comment', 'thread', 'trace', 'accepted at'];
  const widths = head.map((h, c) => Math.max(h.length, ...cells.map((row) => row[c]!.length)));
  const right = new Set([0, 1]);
  const fmt = (row: string[]) =>
    `  ${row.map((v, c) => (right.has(c) ? v.padStart(widths[c]!) : v.padEnd(widths[c]!))).join('  ')}`.trimEnd();
  return `${[fmt(head), ...cells.map(fmt)].join('\n')}\n`;
}
