/**
 * The services' own counters over a measurement window: every app's /metrics scraped at the
 * start and at the end, and the increase of each series in between. A process that cannot be
 * scraped at either end (killed by a fault) has no figures; the problem is said, not thrown.
 */
import { sampleDeltas, scrapeMetrics, type Sample } from './prom-text';

export interface MetricsWindow {
  /** Per process name: the increase of each series over the window. */
  deltas: Record<string, Sample[]>;
  problems: string[];
}

export async function startMetricsWindow(
  apps: { name: string; opsPort: number }[],
): Promise<{ end(): Promise<MetricsWindow> }> {
  const scrapeAll = () =>
    Promise.all(
      apps.map((a) =>
        scrapeMetrics(a.opsPort).then(
          (samples) => ({ samples }),
          (e: Error) => ({ error: `${a.name}: /metrics: ${e.message}` }),
        ),
      ),
    );
  const before = await scrapeAll();
  return {
    async end() {
      const after = await scrapeAll();
      const deltas: Record<string, Sample[]> = {};
      const problems: string[] = [];
      apps.forEach((a, i) => {
        const b = before[i]!;
        const e = after[i]!;
        if ('error' in b) problems.push(b.error);
        else if ('error' in e) problems.push(e.error);
        else deltas[a.name] = sampleDeltas(b.samples, e.samples);
      });
      return { deltas, problems };
    },
  };
}
