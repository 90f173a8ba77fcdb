/** Waiting for what was sent to arrive: done when all of it has, or when arrivals stop. */
import type { Fleet } from './fleet';
import type { StatsArgs } from './loadgen/receiver-protocol';

/**
 * Polls the receivers until `expected` deliveries of what was sent have arrived, or nothing new
 * arrived for `drainMs`. With `sent` (the exact sequence numbers, when some sends may have failed
 * yet still be delivered, as a post answered 503 after its record was written), only those count;
 * without it every distinct arrival does.
 */
export async function waitForArrivals(
  fleet: Fleet,
  expected: number,
  drainMs: number,
  log: (msg: string) => void,
  sent?: StatsArgs['expected'],
): Promise<{ arrived: number; complete: boolean }> {
  let last = -1;
  let lastChange = Date.now();
  let lastLog = Date.now();
  for (;;) {
    const s = await fleet.stats(sent ? { expected: sent } : {});
    const got = sent ? s.expectedArrived : s.arrived;
    if (got >= expected) return { arrived: got, complete: true };
    if (s.arrived !== last) {
      last = s.arrived;
      lastChange = Date.now();
    } else if (Date.now() - lastChange >= drainMs) {
      log(
        `no arrival for ${drainMs} ms: ${got.toLocaleString('en-US')} of ${expected.toLocaleString('en-US')} arrived`,
      );
      return { arrived: got, complete: false };
    }
    if (Date.now() - lastLog > 5000) {
      lastLog = Date.now();
      log(`  ${got.toLocaleString('en-US')} of ${expected.toLocaleString('en-US')} arrived...`);
    }
    await new Promise((r) => setTimeout(r, sent ? 250 : 100));
  }
}
