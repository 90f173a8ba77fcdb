import { usageError } from './errors';

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** "15m", "90s", "2h", "1d", "500ms" -> milliseconds. */
export function parseDuration(text: string, flag = '--since'): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)$/.exec(text.trim());
  const value = m ? Number(m[1]) * UNITS[m[2] as string]! : NaN;
  if (!(value > 0))
    throw usageError(`${flag}: not a duration: ${JSON.stringify(text)} (e.g. 90s, 15m, 2h, 1d)`);
  return value;
}
