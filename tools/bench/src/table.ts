/**
 * The printed table and the JSON report come from the same rows: what the table shows, the
 * JSON holds, figure for figure.
 */
export type Cell = string | number | null;

export interface Table {
  title: string;
  columns: string[];
  rows: Cell[][];
}

export function formatCell(v: Cell): string {
  if (v === null) return '-';
  if (typeof v === 'string') return v;
  if (!Number.isFinite(v)) return String(v);
  if (Number.isInteger(v)) return v.toLocaleString('en-US');
  const abs = Math.abs(v);
  const digits = abs >= 100 ? 1 : abs >= 1 ? 2 : 3;
  return v.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

/** A Markdown-compatible pipe table, numbers right-aligned. */
export function renderTable(t: Table): string {
  const cells = t.rows.map((r) => r.map(formatCell));
  const widths = t.columns.map((c, i) => Math.max(c.length, ...cells.map((r) => r[i]?.length ?? 0)));
  const numeric = t.columns.map((_, i) => t.rows.every((r) => typeof r[i] !== 'string'));
  const line = (vals: string[]) =>
    `| ${vals.map((v, i) => (numeric[i] && i > 0 ? v.padStart(widths[i]!) : v.padEnd(widths[i]!))).join(' | ')} |`;
  const rule = `| ${widths.map((w, i) => (numeric[i] && i > 0 ? `${'-'.repeat(w - 1)}:` : '-'.repeat(w))).join(' | ')} |`;
  return [`${t.title}`, '', line(t.columns), rule, ...cells.map(line)].join('\n');
}
