const UNIT_MS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/**
 * `--since` -> epoch ms: a duration back from `now` (`90s`, `15m`, `1h`, `2d`) or an ISO 8601
 * time (`2026-11-27T14:00:00Z`). Throws a message naming what was expected.
 */
export function parseSince(text: string, now: number): number {
  const m = /^(\d{1,9})([smhd])$/.exec(text.trim());
  if (m) return now - Number(m[1]) * UNIT_MS[m[2]!]!;
  if (/^\d{4}-\d{2}-\d{2}/.test(text)) {
    const t = Date.parse(text);
    if (!Number.isNaN(t)) return t;
  }
  throw new Error(
    `--since: expected a duration such as 30m, 1h, 2d or an ISO time, got ${JSON.stringify(text)}`,
  );
}
