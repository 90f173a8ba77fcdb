/**
 * The Prometheus text format as the services' /metrics serve it (prom-client): samples with
 * their labels, and the increase of every counter-like series (counters, histogram buckets,
 * sums and counts) between two scrapes of the same process.
 */

export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export function parsePromText(text: string): Sample[] {
  const out: Sample[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const brace = line.indexOf('{');
    const space = line.indexOf(' ');
    if (space < 0) continue;
    const labels: Record<string, string> = {};
    let rest: string;
    let name: string;
    if (brace >= 0 && brace < space) {
      name = line.slice(0, brace);
      const end = parseLabels(line, brace + 1, labels);
      rest = line.slice(end + 1);
    } else {
      name = line.slice(0, space);
      rest = line.slice(space);
    }
    // An optional timestamp may follow the value.
    const value = parseValue(rest.trim().split(' ')[0]!);
    out.push({ name, labels, value });
  }
  return out;
}

/** Reads `a="x",b="y"}` from `from`; returns the index of the closing brace. */
function parseLabels(line: string, from: number, into: Record<string, string>): number {
  let i = from;
  while (i < line.length && line[i] !== '}') {
    const eq = line.indexOf('=', i);
    const key = line.slice(i, eq).trim();
    let j = eq + 2; // past ="
    let value = '';
    while (j < line.length && line[j] !== '"') {
      if (line[j] === '\\' && j + 1 < line.length) {
        const c = line[j + 1];
        value += c === 'n' ? '\n' : c;
        j += 2;
      } else value += line[j++];
    }
    into[key] = value;
    i = j + 1;
    if (line[i] === ',') i++;
  }
  return i;
}

function parseValue(v: string): number {
  if (v === '+Inf' || v === 'Inf') return Infinity;
  if (v === '-Inf') return -Infinity;
  return Number(v);
}

export const seriesKey = (s: Pick<Sample, 'name' | 'labels'>): string =>
  `${s.name}${JSON.stringify(Object.entries(s.labels).sort(([a], [b]) => (a < b ? -1 : 1)))}`;

/**
 * Each series of `after` minus the same series of `before` (a series new since then counts from
 * zero). Meaningful for counters and histogram series; gauges come out as their change.
 */
export function sampleDeltas(before: Sample[], after: Sample[]): Sample[] {
  const was = new Map(before.map((s) => [seriesKey(s), s.value]));
  return after.map((s) => ({ ...s, value: s.value - (was.get(seriesKey(s)) ?? 0) }));
}

/** GET http://127.0.0.1:<port>/metrics, parsed. */
export async function scrapeMetrics(port: number, timeoutMs = 5000): Promise<Sample[]> {
  const res = await fetch(`http://127.0.0.1:${port}/metrics`, { signal: AbortSignal.timeout(timeoutMs) });
  if (res.status !== 200) throw new Error(`/metrics answered ${res.status}`);
  return parsePromText(await res.text());
}
