/** Waiting for what was sent to arrive: done when all of it has, or when arrivals stop. */
import type { Fleet } from './fleet';

export async function waitForArrivals(
  fleet: Fleet,
  expected: number,
  drainMs: number,
  log: (msg: string) => void,
): Promise<{ arrived: number; complete: boolean }> {
  let last = -1;
  let lastChange = Date.now();
  let lastLog = Date.now();
  for (;;) {
    const s = await fleet.stats();
    if (s.arrived >= expected) return { arrived: s.arrived, complete: true };
    if (s.arrived !== last) {
      last = s.arrived;
      lastChange = Date.now();
    } else if (Date.now() - lastChange >= drainMs) {
      log(
        `no arrival for ${drainMs} ms: ${s.arrived.toLocaleString('en-US')} of ${expected.toLocaleString('en-US')} arrived`,
      );
      return { arrived: s.arrived, complete: false };
    }
    if (Date.now() - lastLog > 5000) {
      lastLog = Date.now();
      log(`  ${s.arrived.toLocaleString('en-US')} of ${expected.toLocaleString('en-US')} arrived...`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}
