/**
 * What the state-store e2e tests read off a running stage: the partitions of a store it holds
 * and the changelog records it restored (its /metrics), and a polling wait.
 */
import type { RunningService } from './services';
import { waitUntil } from '@threadcast/test-support';

const metricsOf = async (svc: RunningService) =>
  (await fetch(`http://127.0.0.1:${svc.opsPort}/metrics`)).text();

/** Partitions of `store` the stage holds now (threadcast_store_partitions == 1), ascending. */
export async function heldPartitions(svc: RunningService, store: string): Promise<number[]> {
  const held: number[] = [];
  for (const line of (await metricsOf(svc)).split('\n')) {
    if (!line.startsWith('threadcast_store_partitions{') || !line.endsWith('} 1')) continue;
    if (!line.includes(`store="${store}"`)) continue;
    const partition = /partition="(\d+)"/.exec(line)?.[1];
    if (partition !== undefined) held.push(Number(partition));
  }
  return held.sort((a, b) => a - b);
}

/** Changelog records the stage read to restore `store` since it started. */
export async function restoredRecords(svc: RunningService, store: string): Promise<number> {
  for (const line of (await metricsOf(svc)).split('\n')) {
    if (line.startsWith('threadcast_store_restored_records_total{') && line.includes(`store="${store}"`)) {
      return Number(line.slice(line.lastIndexOf(' ') + 1));
    }
  }
  return 0;
}

/** waitUntil with the stores' pace: a metrics scrape every 250 ms, up to 90 s (a cold restore). */
export function until(what: string, probe: () => Promise<boolean>, timeoutMs = 90_000): Promise<void> {
  return waitUntil(what, probe, timeoutMs, undefined, 250);
}
